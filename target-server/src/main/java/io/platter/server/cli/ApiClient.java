package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.platter.config.ConfigLoader;
import io.platter.config.ServerSettings;
import io.platter.server.manage.ApiEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** Sends one request to the daemon's management API, found through its data directory. */
final class ApiClient {

    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    /** Long operations (a thick create, a flatten) answer when done; progress comes from job/list meanwhile. */
    private static final int READ_TIMEOUT_MILLIS = 10 * 60_000;
    private static final Path SYSTEM_CONFIG = Path.of("/etc/platter/platter.yaml");
    private static final Path SYSTEM_DATA_DIR = Path.of("/var/lib/platter");

    private final ApiEndpoint endpoint;

    private ApiClient(ApiEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * The daemon's data directory: {@code --data-dir}, else that of {@code --config}, else that of
     * /etc/platter/platter.yaml (only that key is read, so a broken file elsewhere does not matter), else /var/lib/platter when a daemon runs there, else ./platter-data.
     * The endpoint files are believed only as {@link ApiEndpoint#readTrusted} says: owned by the
     * caller or root, or by the owner of the data directory when it was named (by an option, the
     * system config or the system data directory), never by a stranger for ./platter-data.
     */
    static ApiClient locate(Path dataDir, Path config) throws CliException {
        Path dir = dataDir;
        Path file = config != null ? config : (dataDir == null && Files.exists(SYSTEM_CONFIG) ? SYSTEM_CONFIG : null);
        if (dir == null && file != null) {
            // Only server.data-dir is read, leniently: a config file with problems elsewhere (an edit not
            // yet reloaded) must not stop `platter status` while the daemon runs (issue 15 item 9).
            try {
                dir = ConfigLoader.dataDirOf(file).orElse(ServerSettings.DEFAULT_DATA_DIR);
            } catch (IOException e) {
                System.err.println("platter: warning: cannot read server.data-dir from " + file + " ("
                        + e.getMessage() + "); looking for the daemon in the default places");
            }
        }
        boolean named = dir != null;
        if (dir == null) {
            named = Files.exists(SYSTEM_DATA_DIR.resolve(ApiEndpoint.API_FILE));
            dir = named ? SYSTEM_DATA_DIR : Path.of("platter-data");
        }
        Path abs = dir.toAbsolutePath().normalize();
        try {
            Set<Integer> alsoTrusted = named && Files.isDirectory(abs) ? Set.of(ApiEndpoint.uidOf(abs.toRealPath()))
                    : Set.of();
            return new ApiClient(ApiEndpoint.readTrusted(abs, callerUid(), alsoTrusted));
        } catch (IOException e) {
            throw new CliException(e.getMessage());
        }
    }

    /** This process's real uid (Linux: the owner of /proc/self). */
    private static int callerUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    /**
     * Runs {@code operation} with {@code args}; the result, or a {@link CliException} with the daemon's message.
     * One HTTP/1.1 POST over loopback with {@link HttpURLConnection}, never through a proxy (the token must not
     * leave this host). The JDK's {@code java.net.http.HttpClient} would do the same in about five times the
     * start-up time (it brings up a selector thread and the TLS machinery even for plain HTTP). The body is
     * sent in fixed-length streaming mode, which also keeps HttpURLConnection from silently sending a POST
     * again when its answer is lost ({@code sun.net.http.retryPost}): a create must not run twice.
     */
    JsonNode call(String operation, Map<String, Object> args) throws CliException {
        HttpURLConnection http = null;
        try {
            byte[] request = Json.write(args);
            http = (HttpURLConnection) new URL(endpoint.url() + "v1/" + operation).openConnection(Proxy.NO_PROXY);
            http.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
            http.setReadTimeout(READ_TIMEOUT_MILLIS);
            http.setUseCaches(false);
            http.setRequestMethod("POST");
            http.setRequestProperty("Authorization", "Bearer " + endpoint.token());
            http.setRequestProperty("Content-Type", "application/json");
            http.setDoOutput(true);
            http.setFixedLengthStreamingMode(request.length);
            try (OutputStream out = http.getOutputStream()) {
                out.write(request);
            }
            int status = http.getResponseCode();
            InputStream in = status == HttpURLConnection.HTTP_OK ? http.getInputStream() : http.getErrorStream();
            byte[] response = in == null ? new byte[0] : readAll(in);
            if (status != HttpURLConnection.HTTP_OK) {
                throw new CliException(errorMessage(response, status));
            }
            return Json.read(response);
        } catch (ConnectException e) {
            throw new CliException("the daemon at " + endpoint.url() + " does not answer; is platter serve running?");
        } catch (SocketTimeoutException e) {
            throw new CliException("the daemon at " + endpoint.url() + " did not answer in time: " + e.getMessage());
        } catch (IOException e) {
            throw new CliException("management API request failed: " + e.getMessage());
        } finally {
            if (http != null) {
                http.disconnect();
            }
        }
    }

    /** The daemon's {@code {"error": "..."}} message, else the HTTP status. */
    private static String errorMessage(byte[] response, int status) {
        try {
            return Json.read(response).path("error").asText("HTTP " + status);
        } catch (IOException e) {
            return "HTTP " + status;
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    /** A failed command: one line for the operator. */
    static final class CliException extends Exception {
        CliException(String message) {
            super(message);
        }
    }
}
