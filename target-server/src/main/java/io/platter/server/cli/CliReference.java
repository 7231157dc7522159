package io.platter.server.cli;

import io.platter.server.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Everything about the {@code platter} command line that is written from its picocli definitions
 * rather than by hand: the reference docs/cli.md, one man page per top-level command
 * ({@code platter.1}, {@code platter-volume.1}, ...; troff, gzipped) and the bash and zsh
 * completion scripts. The packaging build runs {@link #main} for the package's files; a unit test
 * compares docs/cli.md with {@link #markdown} and regenerates it on request.
 */
public final class CliReference {

    /** Where each generated file goes, relative to the output directory of {@link #main}. */
    static final String BASH = "completion/platter";
    static final String ZSH = "completion/_platter";
    static final String MAN = "man";

    private final CommandLine root;

    private CliReference(CommandLine root) {
        this.root = root;
    }

    /** The reference of the whole command tree. */
    public static CliReference of() {
        CommandLine cli = new CommandLine(new Main());
        cli.setUsageHelpWidth(100);
        return new CliReference(cli);
    }

    /** {@code CliReference OUTDIR}: writes the completion scripts and man pages under OUTDIR. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: CliReference OUTDIR");
            System.exit(2);
        }
        CliReference ref = of();
        Path out = Path.of(args[0]);
        write(out.resolve(BASH), ref.bashCompletion().getBytes(StandardCharsets.UTF_8));
        write(out.resolve(ZSH), ref.zshCompletion().getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, String> page : ref.manPages().entrySet()) {
            write(out.resolve(MAN).resolve(page.getKey() + ".gz"), gzip(page.getValue()));
        }
    }

    /** Every command of the tree, depth first in the order {@code --help} lists them; aliases once. */
    List<CommandLine> commands() {
        List<CommandLine> all = new ArrayList<>();
        collect(root, all, new IdentityHashMap<>());
        return all;
    }

    private static void collect(CommandLine c, List<CommandLine> into, Map<CommandLine, Boolean> seen) {
        if (seen.put(c, Boolean.TRUE) != null || c.getCommandSpec().usageMessage().hidden()) {
            return;
        }
        into.add(c);
        for (CommandLine sub : c.getSubcommands().values()) {
            collect(sub, into, seen);
        }
    }

    /** The one-paragraph summary of {@code c}: its description's lines joined. */
    static String summary(CommandSpec c) {
        return String.join(" ", c.usageMessage().description()).strip();
    }

    // ---------------------------------------------------------------- docs/cli.md

    /** docs/cli.md: an index, then each command's description and full {@code --help} text. */
    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Platter command line reference\n\n")
                .append("Generated from the command definitions by `io.platter.server.cli.CliReference`;")
                .append(" do not edit.\n")
                .append("After changing a command, regenerate it with\n")
                .append("`mvn -B -o test -pl target-server -am -Dtest=CliReferenceTest")
                .append(" -Dsurefire.failIfNoSpecifiedTests=false -Dplatter.updateDocs=true`\n")
                .append("(the test fails while this file is stale). The same definitions give the man pages\n")
                .append("(`man platter`, `man platter-volume`, ...), the bash and zsh completion and")
                .append(" `platter help COMMAND`.\n\n");
        for (CommandLine c : commands()) {
            String name = c.getCommandSpec().qualifiedName();
            int depth = name.split(" ").length - 1;
            md.append("  ".repeat(Math.max(0, depth - 1))).append("- [").append(name).append("](#")
                    .append(name.replace(' ', '-')).append(")");
            if (depth > 0) {
                md.append(": ").append(summary(c.getCommandSpec()));
            }
            md.append('\n');
        }
        for (CommandLine c : commands()) {
            String name = c.getCommandSpec().qualifiedName();
            md.append("\n## ").append(name).append("\n\n```\n")
                    .append(c.getUsageMessage(Ansi.OFF).stripTrailing()).append("\n```\n");
        }
        return md.toString();
    }

    // ---------------------------------------------------------------- man pages

    /** File name ({@code platter-volume.1}) to troff text: {@code platter.1} and one per top-level command. */
    Map<String, String> manPages() {
        Map<String, String> pages = new java.util.LinkedHashMap<>();
        pages.put("platter.1", manPage(root, List.of(root)));
        for (CommandLine top : root.getSubcommands().values()) {
            String file = "platter-" + top.getCommandName() + ".1";
            if (!pages.containsKey(file) && !top.getCommandSpec().usageMessage().hidden()) {
                List<CommandLine> tree = new ArrayList<>();
                collect(top, tree, new IdentityHashMap<>());
                pages.put(file, manPage(top, tree));
            }
        }
        return pages;
    }

    private String manPage(CommandLine page, List<CommandLine> sections) {
        CommandSpec spec = page.getCommandSpec();
        String title = spec.qualifiedName("-");
        String[] version = root.getCommandSpec().version();
        StringBuilder t = new StringBuilder();
        t.append(".\\\" Generated from the command definitions by io.platter.server.cli.CliReference.\n")
                .append(".TH ").append(roff(title.toUpperCase(java.util.Locale.ROOT))).append(" 1 \"\" \"")
                .append(version.length > 0 ? roff(version[0]) : "platter").append("\" \"Platter Manual\"\n")
                .append(".SH NAME\n").append(roff(title)).append(" \\- ")
                .append(roff(stripFullStop(summary(spec)))).append('\n')
                .append(".SH SYNOPSIS\n.nf\n");
        for (CommandLine c : sections) {
            if (c == page || c.getSubcommands().isEmpty()) {
                t.append(roffLines(c.getHelp().synopsis(0).stripTrailing())).append('\n');
            }
        }
        t.append(".fi\n.SH DESCRIPTION\n").append(roffLines(summary(spec))).append('\n');
        if (page == root) {
            t.append(".SH COMMANDS\n");
            for (CommandLine sub : new java.util.LinkedHashSet<>(root.getSubcommands().values())) {
                t.append(".TP\n\\fB").append(roff(sub.getCommandName())).append("\\fR\n")
                        .append(roffLines(summary(sub.getCommandSpec()))).append('\n');
            }
            appendArguments(t, spec);
            t.append(".SH SEE ALSO\n");
            List<String> refs = new ArrayList<>();
            for (CommandLine sub : new java.util.LinkedHashSet<>(root.getSubcommands().values())) {
                refs.add("\\fBplatter\\-" + roff(sub.getCommandName()) + "\\fR(1)");
            }
            t.append(String.join(",\n", refs)).append('\n');
            return t.toString();
        }
        appendArguments(t, spec);
        boolean first = true;
        for (CommandLine c : sections) {
            if (c == page) {
                continue;
            }
            if (first) {
                t.append(".SH COMMANDS\n");
                first = false;
            }
            t.append(".SS ").append(roff(c.getCommandSpec().qualifiedName())).append('\n')
                    .append(roffLines(summary(c.getCommandSpec()))).append("\n.PP\n.nf\n")
                    .append(roffLines(c.getHelp().synopsis(0).stripTrailing())).append("\n.fi\n");
            appendArgumentList(t, c.getCommandSpec());
        }
        t.append(".SH SEE ALSO\n\\fBplatter\\fR(1)\n");
        return t.toString();
    }

    private static void appendArguments(StringBuilder t, CommandSpec spec) {
        if (!spec.positionalParameters().isEmpty() || !spec.options().isEmpty()) {
            t.append(".SH OPTIONS\n");
            appendArgumentList(t, spec);
        }
    }

    private static void appendArgumentList(StringBuilder t, CommandSpec spec) {
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (!p.hidden()) {
                t.append(".TP\n\\fI").append(roff(p.paramLabel())).append("\\fR\n").append(roffLines(describe(p)))
                        .append('\n');
            }
        }
        for (OptionSpec o : spec.options()) {
            if (!o.hidden()) {
                t.append(".TP\n\\fB").append(roff(String.join(", ", o.names()))).append("\\fR");
                if (o.arity().max() > 0) {
                    t.append("=\\fI").append(roff(o.paramLabel())).append("\\fR");
                }
                t.append('\n').append(roffLines(describe(o))).append('\n');
            }
        }
    }

    private static String describe(ArgSpec a) {
        return String.join(" ", a.description()).strip();
    }

    private static String stripFullStop(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** Text safe inside a troff line: backslashes and hyphens escaped. */
    static String roff(String s) {
        return s.replace("\\", "\\e").replace("-", "\\-");
    }

    /** Lines of text for troff: each escaped, and none starting with a control character. */
    static String roffLines(String s) {
        StringBuilder b = new StringBuilder();
        for (String line : s.split("\n", -1)) {
            if (b.length() > 0) {
                b.append('\n');
            }
            String r = roff(line);
            b.append(r.startsWith(".") || r.startsWith("'") ? "\\&" + r : r);
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- completion

    /** The bash completion script, {@code /usr/share/bash-completion/completions/platter}. */
    String bashCompletion() {
        return AutoComplete.bash("platter", root);
    }

    /**
     * The zsh completion function, {@code /usr/share/zsh/vendor-completions/_platter}: the bash script
     * through zsh's bashcompinit (which picocli's script supports), then completing the word at hand.
     */
    String zshCompletion() {
        return "#compdef platter\n"
                + "# zsh completion for platter: the generated bash completion, run through bashcompinit.\n"
                + "autoload -U +X bashcompinit && bashcompinit\n"
                + bashCompletion()
                + "\n_bash_complete -o default -F _complete_platter\n";
    }

    // ---------------------------------------------------------------- files

    private static void write(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, content);
    }

    /** gzip at the best compression with no name and no time stamp, so the same page gives the same bytes. */
    static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bytes) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }
}
