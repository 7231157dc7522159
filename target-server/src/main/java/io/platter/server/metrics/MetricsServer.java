package io.platter.server.metrics;

import io.platter.config.Portal;
import io.platter.server.HttpLimits;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;

/**
 * The metrics listener: the Prometheus client's HTTP server on its own portal (never the iSCSI
 * ones), serving {@code /metrics}, on {@link #WORKERS} daemon threads of its own, with the JDK
 * server's connection and request bounds ({@link HttpLimits}): stalled scrapers cannot freeze it.
 */
public final class MetricsServer implements AutoCloseable {
    /** Scrape threads: stalled clients hold one each until {@link HttpLimits#MAX_REQUEST_SECONDS}. */
    static final int WORKERS = 8;

    private final HTTPServer http;
    private final InetSocketAddress address;

    private MetricsServer(HTTPServer http, InetSocketAddress address) {
        this.http = http;
        this.address = address;
    }

    /** Listens on {@code portal} (port 0 picks a free one). */
    public static MetricsServer start(Portal portal, PrometheusRegistry registry) throws IOException {
        InetAddress host = InetAddress.getByName(portal.host());
        HttpLimits.apply();
        ExecutorService threads = HttpLimits.workers("platter-metrics", WORKERS);
        HTTPServer http = HTTPServer.builder().inetAddress(host).port(portal.port()).registry(registry)
                .executorService(threads).buildAndStart();
        io.platter.server.Threads.adoptJdkHttpThreads("platter-metrics-http");
        return new MetricsServer(http, new InetSocketAddress(host, http.getPort()));
    }

    public InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() {
        http.close();
    }
}
