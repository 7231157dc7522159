package io.platter.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogPatternTest {

    @Test
    void underSystemdTheLineHasNoTimestampAndStartsWithItsPriority() {
        String pattern = LogPattern.forEnvironment(Map.of("JOURNAL_STREAM", "8:12345"));

        assertThat(format(pattern, Level.INFO, "listening")).isEqualTo("<6>INFO  [t] Test: listening\n");
        assertThat(format(pattern, Level.WARN, "w")).startsWith("<4>WARN");
        assertThat(format(pattern, Level.ERROR, "e")).startsWith("<3>ERROR");
        assertThat(format(pattern, Level.DEBUG, "d")).startsWith("<7>DEBUG");
    }

    @Test
    void onATerminalTheLineStartsWithATimestamp() {
        assertThat(LogPattern.forEnvironment(Map.of())).isEqualTo(LogPattern.TERMINAL);
        assertThat(LogPattern.forEnvironment(Map.of("JOURNAL_STREAM", ""))).isEqualTo(LogPattern.TERMINAL);
        assertThat(format(LogPattern.TERMINAL, Level.INFO, "x")).matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+ INFO .*\n");
    }

    @Test
    void aValueCannotForgeALineOrAJournalPriority() {
        for (String pattern : new String[] {LogPattern.TERMINAL,
                LogPattern.forEnvironment(Map.of("JOURNAL_STREAM", "8:1"))}) {
            String line = format(pattern, Level.INFO, "login failed: initiator iqn.x\n<0>forged\r\u0085\u2028 \\n");
            assertThat(line).as(line).endsWith("\n").doesNotContain("\r").doesNotContain("\u0085")
                    .doesNotContain("\u2028");
            assertThat(line.split("\n", -1)).as(line).hasSize(2); // one line, then the end
            assertThat(line).contains("iqn.x\\n<0>forged\\r\\x85\\u2028 \\\\n");
        }
    }

    /** Issue 15: no ANSI escape reaches the log, neither from the pattern nor from a value. */
    @Test
    void noAnsiEscapeReachesTheLine() {
        for (String pattern : new String[] {LogPattern.TERMINAL,
                LogPattern.forEnvironment(Map.of("JOURNAL_STREAM", "8:1"))}) {
            assertThat(pattern).as("no colour converters").doesNotContainPattern(
                    "%(highlight|black|red|green|yellow|blue|magenta|cyan|white|gray|bold\\w+)\\b");
            String line = format(pattern, Level.ERROR, "alias \u001b[31mred\u001b[0m \u009b31m");
            assertThat(line).as(line).doesNotContain("\u001b").doesNotContain("\u009b")
                    .contains("alias \\x1b[31mred\\x1b[0m \\x9b31m");
        }
    }

    @Test
    void anExceptionMessageCannotForgeALine() {
        String out = format(LogPattern.forEnvironment(Map.of("JOURNAL_STREAM", "8:1")), Level.WARN, "failed",
                new IllegalStateException("bad\n<0>forged"));
        assertThat(out.lines()).as(out).noneMatch(l -> l.startsWith("<0>"));
        assertThat(out).contains("java.lang.IllegalStateException: bad\\n<0>forged");
    }

    private static String format(String pattern, Level level, String message) {
        return format(pattern, level, message, null);
    }

    private static String format(String pattern, Level level, String message, Throwable thrown) {
        LoggerContext context = new LoggerContext();
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.getInstanceConverterMap().put("syslogPriority", SyslogPriority::new);
        layout.getInstanceConverterMap().put("safeMsg", SafeMessage::new);
        layout.getInstanceConverterMap().put("safeEx", SafeThrowable::new);
        layout.setPattern(pattern);
        layout.start();
        LoggingEvent event = new LoggingEvent("fqcn", context.getLogger("io.platter.Test"), level, message, thrown,
                null);
        event.setThreadName("t");
        return layout.doLayout(event);
    }
}
