package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.server.HttpLimits;
import io.platter.server.manage.ApiEndpoint;
import io.platter.tests.support.PlatterProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 21, finding 9: two connections that sent half a request line froze the management API
 * (three the metrics endpoint) for good: two worker threads, no request timeout. Any local user
 * can open them. Now a handful of stalled connections leaves a real request answered at once, and
 * more stalled connections than workers are closed by the request timeout, after which the real
 * request is answered too.
 */
@Timeout(180)
class HttpStallIT {

    /** Half a request line: the server has started reading a request that never ends. */
    private static final byte[] HALF = "POST /v1/sta".getBytes(StandardCharsets.US_ASCII);
    private static final Duration PROMPT = Duration.ofSeconds(5);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(PROMPT).build();

    @Test
    void stalledConnectionsNeitherFreezeTheApiNorTheMetrics() throws Exception {
        int metricsPort = PlatterProcess.freePort();
        try (PlatterProcess server = PlatterProcess.start("HttpStallIT", "16M",
                List.of("--metrics", "127.0.0.1:" + metricsPort))) {
            ApiEndpoint api = endpoint(server);
            URI apiUri = URI.create(api.url());
            List<Socket> stalled = stall(apiUri.getPort(), 6);
            stalled.addAll(stall(metricsPort, 6));
            try {
                assertThat(status(api, PROMPT)).as("API with 6 stalled connections").isEqualTo(200);
                assertThat(scrape(metricsPort, PROMPT)).as("metrics with 6 stalled connections").isEqualTo(200);
            } finally {
                closeAll(stalled);
            }
            server.assertNoInternalErrors();
        }
    }

    @Test
    void moreStalledConnectionsThanWorkersAreClosedByTheRequestTimeout() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("HttpStallIT-many", "16M")) {
            ApiEndpoint api = endpoint(server);
            List<Socket> stalled = stall(URI.create(api.url()).getPort(), 40);
            try {
                // The request timeout is checked once a second: let the stalled requests be
                // clearly older than the real one, so they time out first and free the workers.
                Thread.sleep(2_000);
                Duration bound = Duration.ofSeconds(HttpLimits.MAX_REQUEST_SECONDS).plus(PROMPT);
                assertThat(status(api, bound)).as("API with 40 stalled connections").isEqualTo(200);
                for (Socket s : stalled) {
                    assertThat(closedByServer(s, bound)).as("a stalled connection is closed").isTrue();
                }
            } finally {
                closeAll(stalled);
            }
        }
    }

    /** The API's endpoint, once the daemon has published it (a moment after the portal listens). */
    private static ApiEndpoint endpoint(PlatterProcess server) throws Exception {
        for (int i = 0; ; i++) {
            try {
                return ApiEndpoint.read(server.dataDir());
            } catch (IOException e) {
                if (i == 300) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static List<Socket> stall(int port, int count) throws IOException {
        List<Socket> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Socket s = new Socket();
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.getOutputStream().write(HALF);
            s.getOutputStream().flush();
            out.add(s);
        }
        return out;
    }

    private int status(ApiEndpoint api, Duration within) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(api.url() + "v1/status")).timeout(within)
                .header("Authorization", "Bearer " + api.token())
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private int scrape(int port, Duration within) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(within).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** Whether the server closes {@code s} (end of stream or reset) within {@code within}. */
    private static boolean closedByServer(Socket s, Duration within) throws IOException {
        s.setSoTimeout((int) within.toMillis());
        InputStream in = s.getInputStream();
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing a test socket
            }
        }
    }
}
