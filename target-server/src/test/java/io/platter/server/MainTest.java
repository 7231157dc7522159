package io.platter.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command tree {@link Main#commandLine} builds: the one command named, else all of them; and {@code help}. */
class MainTest {

    private static Set<String> allCommands() {
        Set<String> names = new TreeSet<>();
        for (Class<?> c : Main.class.getAnnotation(Command.class).subcommands()) {
            names.add(c.getAnnotation(Command.class).name());
        }
        return names;
    }

    @Test
    void aNamedCommandGetsATreeOfThatCommandAlone() {
        assertThat(Main.commandLine("status", "--json").getSubcommands().keySet()).containsExactly("status");
        assertThat(Main.commandLine("volume", "create", "v", "--size", "1G").getSubcommands().keySet())
                .containsExactly("volume");
        assertThat(Main.commandLine("serve").getSubcommands().keySet()).containsExactly("serve");
        assertThat(Main.commandLine("volume").getCommandName()).isEqualTo("platter");
    }

    @Test
    void everythingElseGetsTheWholeTree() {
        assertThat(allCommands()).contains("serve", "volume", "status", "help").hasSizeGreaterThan(12);
        for (String[] args : new String[][] {{}, {"--help"}, {"-V"}, {"help"}, {"help", "volume"}, {"volum"}}) {
            assertThat(new TreeSet<>(Main.commandLine(args).getSubcommands().keySet())).as(Arrays.toString(args))
                    .isEqualTo(allCommands());
        }
    }

    @Test
    void theLeanTreeParsesAndReportsUsageErrorsAsTheWholeTreeDoes() {
        StringWriter lean = new StringWriter();
        int leanCode = Main.commandLine("volume", "create").setErr(new PrintWriter(lean)).execute("volume", "create");
        StringWriter full = new StringWriter();
        int fullCode = new CommandLine(new Main()).setErr(new PrintWriter(full)).execute("volume", "create");
        assertThat(leanCode).isEqualTo(fullCode).isEqualTo(2);
        assertThat(lean.toString()).isEqualTo(full.toString()).contains("Usage: platter volume create");
    }

    @Test
    void helpPrintsTheUsageOfACommandOrSubcommand() {
        StringWriter out = new StringWriter();
        int code = Main.commandLine("help", "volume", "create").setOut(new PrintWriter(out))
                .execute("help", "volume", "create");
        assertThat(code).isZero();
        assertThat(out.toString()).startsWith("Usage: platter volume create").contains("--size=SIZE");
        StringWriter top = new StringWriter();
        Main.commandLine("help").setOut(new PrintWriter(top)).execute("help");
        assertThat(top.toString()).startsWith("Usage: platter").contains("volume", "snapshot", "help");
    }
}
