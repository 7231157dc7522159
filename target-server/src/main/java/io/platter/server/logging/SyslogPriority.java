package io.platter.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.Map;

/**
 * {@code %syslogPriority}: the event's level as the {@code <N>} prefix the journal reads from a
 * service's standard output (syslog(3) priorities: 3 err, 4 warning, 6 info, 7 debug).
 */
public final class SyslogPriority extends ClassicConverter {
    private static final Map<Level, String> PREFIX = Map.of(
            Level.ERROR, "<3>",
            Level.WARN, "<4>",
            Level.INFO, "<6>",
            Level.DEBUG, "<7>",
            Level.TRACE, "<7>");

    @Override
    public String convert(ILoggingEvent event) {
        return prefix(event.getLevel());
    }

    static String prefix(Level level) {
        return PREFIX.getOrDefault(level, "<6>");
    }
}
