package io.platter.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The guard on help quality (issue 15): walks every command of the picocli model and lists each
 * summary that is not whole sentences and each positional argument or option without a description.
 * A new command or parameter that skips its help text fails here, named.
 */
class HelpTextTest {

    @Test
    void everySummaryIsWholeSentencesAndEveryParameterIsDescribed() {
        List<String> problems = new ArrayList<>();
        List<CommandLine> commands = CliReference.of().commands();
        assertThat(commands).hasSizeGreaterThan(30);
        for (CommandLine c : commands) {
            CommandSpec spec = c.getCommandSpec();
            String name = spec.qualifiedName();
            String summary = CliReference.summary(spec);
            if (!isSentences(summary)) {
                problems.add(name + ": summary is not whole sentences: \"" + summary + "\"");
            }
            for (PositionalParamSpec p : spec.positionalParameters()) {
                if (!p.hidden() && String.join(" ", p.description()).isBlank()) {
                    problems.add(name + ": positional " + p.paramLabel() + " has no description");
                }
            }
            for (OptionSpec o : spec.options()) {
                if (!o.hidden() && String.join(" ", o.description()).isBlank()) {
                    problems.add(name + ": option " + o.longestName() + " has no description");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theSentenceRuleRejectsFragments() {
        assertThat(isSentences("List volumes.")).isTrue();
        assertThat(isSentences("Snapshots of qcow2 volumes. Taken online.")).isTrue();
        assertThat(isSentences("iSCSI sessions.")).isTrue();
        assertThat(isSentences("list volumes.")).isFalse();
        assertThat(isSentences("List volumes")).isFalse();
        assertThat(isSentences("")).isFalse();
    }

    /**
     * Starts with a capital letter (or a word spelled with a leading lower-case letter on purpose,
     * such as iSCSI or qcow2) and ends with a full stop.
     */
    static boolean isSentences(String s) {
        if (s.isEmpty() || !s.endsWith(".")) {
            return false;
        }
        return Character.isUpperCase(s.charAt(0)) || s.startsWith("iSCSI") || s.startsWith("qcow2");
    }
}
