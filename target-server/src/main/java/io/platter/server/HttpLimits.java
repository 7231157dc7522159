package io.platter.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Bounds for the JDK's HTTP server, which serves the management API and the metrics endpoint
 * (issue 21, finding 9: two connections that sent half a request line held both API worker
 * threads forever). A worker reads a request only once its first bytes arrived, so a stalled
 * request holds a worker until {@link #MAX_REQUEST_SECONDS} close it; a reply not taken within
 * {@link #MAX_RESPONSE_SECONDS} of the request is dropped (an operation running in the request
 * still completes); idle keep-alive connections close after {@link #IDLE_SECONDS}; each server
 * holds at most {@link #MAX_CONNECTIONS} connections.
 *
 * <p>The JDK reads these as system properties once, when the first server is created, for every
 * server of the JVM: {@link #apply} sets each one the operator did not set with {@code -D} and
 * must run before any {@code HttpServer} exists.
 */
public final class HttpLimits {

    /** Seconds from a request's first byte to its last (line, headers and body). */
    public static final int MAX_REQUEST_SECONDS = 10;
    /** Seconds from the end of a request to the end of its reply; above the CLI's 10 minute wait. */
    public static final int MAX_RESPONSE_SECONDS = 900;
    /** Seconds an idle (or accepted but silent) connection stays open. */
    public static final int IDLE_SECONDS = 30;
    /** Open connections per server; more are closed as they are accepted. */
    public static final int MAX_CONNECTIONS = 256;

    private static final Map<String, String> PROPERTIES = new LinkedHashMap<>();

    static {
        PROPERTIES.put("sun.net.httpserver.maxReqTime", String.valueOf(MAX_REQUEST_SECONDS));
        PROPERTIES.put("sun.net.httpserver.maxRspTime", String.valueOf(MAX_RESPONSE_SECONDS));
        PROPERTIES.put("sun.net.httpserver.idleInterval", String.valueOf(IDLE_SECONDS));
        PROPERTIES.put("sun.net.httpserver.maxConnections", String.valueOf(MAX_CONNECTIONS));
    }

    private HttpLimits() {
    }

    /** Sets the JDK server's limits (a {@code -D} of the operator's wins); idempotent. */
    public static synchronized void apply() {
        PROPERTIES.forEach((key, value) -> {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        });
    }

    /**
     * A fixed pool of {@code threads} daemon threads named {@code name-1}, {@code name-2}, ...: more than a few stalled
     * clients can hold, and the request timeout frees the ones they hold. Its queue needs no bound
     * of its own: the connection cap bounds it.
     */
    public static ExecutorService workers(String name, int threads) {
        return Executors.newFixedThreadPool(threads, Threads.named(name, true));
    }
}
