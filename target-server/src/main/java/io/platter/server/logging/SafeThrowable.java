package io.platter.server.logging;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;

/**
 * {@code %safeEx}: the stack trace as logback prints it, each exception message escaped by
 * {@link LogText}. The trace keeps its own lines (each starts with a class name, a tab or
 * "Caused by"), but no message can add a line of its own choosing.
 */
public final class SafeThrowable extends ThrowableProxyConverter {
    @Override
    protected String throwableProxyToString(IThrowableProxy tp) {
        return super.throwableProxyToString(new Escaped(tp));
    }

    /** A throwable proxy whose messages, and its causes' and suppressed ones', are escaped. */
    private record Escaped(IThrowableProxy inner) implements IThrowableProxy {
        @Override
        public String getMessage() {
            return LogText.escape(inner.getMessage());
        }

        @Override
        public String getClassName() {
            return inner.getClassName();
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return inner.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return inner.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            return inner.getCause() == null ? null : new Escaped(inner.getCause());
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] s = inner.getSuppressed();
            if (s == null) {
                return null;
            }
            IThrowableProxy[] out = new IThrowableProxy[s.length];
            for (int i = 0; i < s.length; i++) {
                out[i] = new Escaped(s[i]);
            }
            return out;
        }

        @Override
        public boolean isCyclic() {
            return inner.isCyclic();
        }
    }
}
