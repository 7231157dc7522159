package io.platter.server.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %safeMsg}: the formatted message with every control character escaped by
 * {@link LogText}, so one event is one line whatever its arguments hold.
 */
public final class SafeMessage extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return LogText.escape(event.getFormattedMessage());
    }
}
