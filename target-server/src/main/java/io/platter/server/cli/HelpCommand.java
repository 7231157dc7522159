package io.platter.server.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code platter help [COMMAND...]}: the usage of platter, of a command or of a subcommand
 * ({@code platter help volume create}), the same text as {@code platter volume create --help}.
 * picocli's own help command describes one level only.
 */
@Command(name = "help", helpCommand = true,
        description = "Show the usage of platter or of one of its commands, e.g. platter help volume create.")
public final class HelpCommand implements CommandLine.IHelpCommandInitializable2, Runnable {

    @Parameters(paramLabel = "COMMAND", arity = "0..*",
            description = "The command, then its subcommand, to describe (none: platter itself).")
    List<String> path = new ArrayList<>();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show the usage of the help command and exit.")
    boolean usage;

    private CommandLine self;
    private ColorScheme colors;
    private PrintWriter out;

    @Override
    public void init(CommandLine helpCommandLine, ColorScheme colorScheme, PrintWriter outWriter,
            PrintWriter errWriter) {
        this.self = helpCommandLine;
        this.colors = colorScheme;
        this.out = outWriter;
    }

    @Override
    public void run() {
        CommandLine c = self.getParent();
        for (String name : path) {
            CommandLine sub = c.getSubcommands().get(name);
            if (sub == null) {
                throw new CommandLine.ParameterException(self, "Unknown command '" + name + "'"
                        + (c == self.getParent() ? "" : " of " + c.getCommandSpec().qualifiedName()) + ".");
            }
            c = sub;
        }
        c.usage(out, colors);
    }
}
