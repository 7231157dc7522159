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

    private static String format(String pattern, Level level, String message) {
        LoggerContext context = new LoggerContext();
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.getInstanceConverterMap().put("syslogPriority", SyslogPriority::new);
        layout.setPattern(pattern);
        layout.start();
        LoggingEvent event = new LoggingEvent("fqcn", context.getLogger("io.platter.Test"), level, message, null,
                null);
        event.setThreadName("t");
        return layout.doLayout(event);
    }
}
