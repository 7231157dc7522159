package io.platter.server.logging;

import ch.qos.logback.core.PropertyDefinerBase;
import java.util.Map;

/**
 * Chooses the console pattern once, at start (logback {@code <define>}): systemd sets
 * JOURNAL_STREAM for a service whose output goes to the journal (systemd.exec(5)); the journal
 * timestamps every line itself, so the line carries only its priority prefix instead. Either way
 * the message and exception texts are escaped ({@link SafeMessage}, {@link SafeThrowable}): an
 * event is one line, and no value inside it can forge another line or a priority prefix.
 */
public final class LogPattern extends PropertyDefinerBase {
    static final String TERMINAL = "%d{yyyy-MM-dd'T'HH:mm:ss.SSS} %-5level [%thread] %logger{0}: %safeMsg%n%safeEx";
    static final String JOURNAL = "%syslogPriority%-5level [%thread] %logger{0}: %safeMsg%n%safeEx";

    @Override
    public String getPropertyValue() {
        return forEnvironment(System.getenv());
    }

    static String forEnvironment(Map<String, String> env) {
        String stream = env.get("JOURNAL_STREAM");
        return stream != null && !stream.isEmpty() ? JOURNAL : TERMINAL;
    }
}
