package io.platter.server.manage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.platter.config.Portal;
import io.platter.server.HttpLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management API over HTTP (the JDK's server): {@code POST /v1/<operation>} with a JSON
 * object, answered {@code 200} with the result or an error status with {@code {"error": "..."}}.
 * Every request must carry {@code Authorization: Bearer <token>}; the token is compared in
 * constant time and never logged. Listens on loopback unless configured otherwise. Connections,
 * request and reply times are bounded ({@link HttpLimits}): stalled clients cannot freeze it.
 */
public final class ManagementServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
    private static final int MAX_BODY = 64 * 1024;
    /** Request threads: stalled clients hold one each until {@link HttpLimits#MAX_REQUEST_SECONDS}. */
    static final int WORKERS = 16;
    /** How long a stop waits for the requests running. */
    static final int STOP_GRACE_SECONDS = 5;
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer http;
    private final ExecutorService executor;
    private final ScheduledExecutorService poolChecks;
    private final Services services;
    private final byte[] token;
    private final ApiEndpoint endpoint;
    /** Requests being handled; a stop waits for them. */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    /** Set when the stop begins: later requests are refused (503). */
    private volatile boolean stopping;

    private ManagementServer(HttpServer http, ExecutorService executor, ScheduledExecutorService poolChecks,
                             Services services, String token) {
        this.http = http;
        this.executor = executor;
        this.poolChecks = poolChecks;
        this.services = services;
        this.token = token.getBytes(StandardCharsets.US_ASCII);
        InetSocketAddress a = http.getAddress();
        // Bound to every address: the CLI reaches it on loopback (the only address it trusts).
        String host = a.getAddress().isAnyLocalAddress()
                ? (a.getAddress() instanceof java.net.Inet6Address ? "::1" : "127.0.0.1")
                : a.getAddress().getHostAddress();
        this.endpoint = new ApiEndpoint("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
                + a.getPort() + "/", token);
    }

    /**
     * Starts the API on {@code listen} (null: 127.0.0.1 on a free port), publishes its endpoint in
     * the data directory and checks the thin pool every few seconds.
     */
    public static ManagementServer start(Portal listen, Services services) throws IOException {
        InetSocketAddress address = listen == null ? new InetSocketAddress("127.0.0.1", 0)
                : new InetSocketAddress(listen.host(), listen.port());
        HttpLimits.apply();
        HttpServer http = HttpServer.create(address, 64);
        ExecutorService executor = HttpLimits.workers("platter-api", WORKERS);
        ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor(
                io.platter.server.Threads.named("platter-pool", true));
        ManagementServer server = new ManagementServer(http, executor, checks, services, ApiEndpoint.newToken());
        http.createContext("/", server::handle);
        http.setExecutor(executor);
        http.start();
        io.platter.server.Threads.adoptJdkHttpThreads("platter-api-http");
        try {
            server.endpoint.publish(services.daemon().dataDir());
        } catch (IOException e) {
            server.close();
            throw e;
        }
        checks.scheduleWithFixedDelay(services.pool()::check, 0, 5, TimeUnit.SECONDS);
        LOG.info("management API on {} (token in {})", server.endpoint.url(),
                services.daemon().dataDir().resolve(ApiEndpoint.TOKEN_FILE));
        return server;
    }

    public ApiEndpoint endpoint() {
        return endpoint;
    }

    private void handle(HttpExchange ex) throws IOException {
        inFlight.incrementAndGet();
        try (ex) {
            if (stopping) {
                reply(ex, 503, Map.of("error", "the daemon is stopping"));
                return;
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            byte[] presented = auth != null && auth.startsWith("Bearer ")
                    ? auth.substring(7).trim().getBytes(StandardCharsets.US_ASCII) : new byte[0];
            if (!MessageDigest.isEqual(presented, token)) {
                LOG.warn("management API: request from {} without a valid token", ex.getRemoteAddress());
                reply(ex, 401, Map.of("error", "not authorized: present the token from the data directory"));
                return;
            }
            String path = ex.getRequestURI().getPath();
            Operation op = path.startsWith("/v1/") ? Operation.find(path.substring(4)) : null;
            if (op == null) {
                reply(ex, 404, Map.of("error", "no such operation " + path));
                return;
            }
            if (!"POST".equals(ex.getRequestMethod())) {
                reply(ex, 405, Map.of("error", "use POST"));
                return;
            }
            JsonNode body;
            try (InputStream in = ex.getRequestBody()) {
                byte[] raw = in.readNBytes(MAX_BODY + 1);
                if (raw.length > MAX_BODY) {
                    reply(ex, 413, Map.of("error", "request too large"));
                    return;
                }
                body = raw.length == 0 ? JSON.createObjectNode() : JSON.readTree(raw);
            } catch (IOException e) {
                reply(ex, 400, Map.of("error", "not JSON: " + e.getMessage()));
                return;
            }
            if (!(body instanceof ObjectNode)) {
                reply(ex, 400, Map.of("error", "the request must be a JSON object"));
                return;
            }
            try {
                reply(ex, 200, op.run(services, new Args(body)));
            } catch (ManagementException e) {
                LOG.info("management {}: {}", op.path(), e.getMessage());
                reply(ex, e.kind().status(), Map.of("error", e.getMessage()));
            } catch (RuntimeException e) {
                LOG.error("management {} failed", op.path(), e);
                reply(ex, 500, Map.of("error", "internal error: " + e));
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private static void reply(HttpExchange ex, int status, Object value) throws IOException {
        byte[] out = JSON.writeValueAsBytes(value);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, out.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
        }
    }

    /**
     * Stops the API before the daemon flushes its LUNs: long jobs (flatten, copies) are cancelled
     * at their next step, no new exchange is accepted, and the requests running are waited for
     * (at most {@link #STOP_GRACE_SECONDS}). Never by interrupting them: an interrupt in the middle
     * of image I/O closes the image's file channel for every thread.
     */
    @Override
    public void close() {
        stopping = true;
        services.volumes().jobs().cancelAll();
        poolChecks.shutdown();
        try {
            // HttpServer.stop(delay) would wait the whole delay on JDK 17 (JDK-8304065); count instead.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_GRACE_SECONDS);
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            if (inFlight.get() > 0) {
                LOG.warn("{} management request(s) still running after {} s; stopping anyway", inFlight.get(),
                        STOP_GRACE_SECONDS);
            }
            http.stop(0);
            executor.shutdown();
            poolChecks.awaitTermination(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            http.stop(0);
            executor.shutdown();
        }
        endpoint.withdraw(services.daemon().dataDir()); // only if they are still the files we wrote
    }
}
