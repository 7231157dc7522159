package io.platter.server;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names every thread the daemon starts after what it does, {@code platter-<role>-<n>} counting
 * from 1 ({@code platter-iscsi-boss-1}, {@code platter-iscsi-3}, {@code platter-io-2},
 * {@code platter-metrics-1}, {@code platter-api-1}), so a thread dump, {@code top -H} or a log
 * line's {@code [thread]} says which part of Platter it is. Threads are Netty's
 * {@link FastThreadLocalThread}, which event loops need and other pools do not mind.
 */
public final class Threads {
    private Threads() {
    }

    /** What the JDK's HTTP server (com.sun.net.httpserver) names the threads it starts itself. */
    private static final java.util.Map<String, String> JDK_HTTP_THREADS = java.util.Map.of(
            "HTTP-Dispatcher", "dispatcher", "idle-timeout-task", "idle-timeout", "req-rsp-timeout-task",
            "request-timeout");

    /**
     * Renames the threads a JDK HTTP server just started ({@code HTTP-Dispatcher} and its timers)
     * to {@code <prefix>-dispatcher} etc. Call it right after {@code HttpServer.start()}, on the
     * thread that starts the daemon's HTTP servers one after the other: the threads with the JDK's
     * names are then that server's.
     */
    public static void adoptJdkHttpThreads(String prefix) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String role = JDK_HTTP_THREADS.get(t.getName());
            if (role != null) {
                try {
                    t.setName(prefix + "-" + role);
                } catch (SecurityException e) {
                    // Only a name: the thread works the same.
                }
            }
        }
    }

    /** A factory of {@code <prefix>-1}, {@code <prefix>-2}, ...; daemon threads when {@code daemon}. */
    public static ThreadFactory named(String prefix, boolean daemon) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new FastThreadLocalThread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(daemon);
            return t;
        };
    }
}
