package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.platter.config.ConfigLoader;
import io.platter.config.ServerSettings;
import io.platter.server.manage.ApiEndpoint;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/** Sends one request to the daemon's management API, found through its data directory. */
final class ApiClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SYSTEM_CONFIG = Path.of("/etc/platter/platter.yaml");
    private static final Path SYSTEM_DATA_DIR = Path.of("/var/lib/platter");

    private final ApiEndpoint endpoint;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

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

    /** Runs {@code operation} with {@code args}; the result, or a {@link CliException} with the daemon's message. */
    JsonNode call(String operation, Map<String, Object> args) throws CliException {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint.url() + "v1/" + operation))
                    .timeout(Duration.ofMinutes(10))
                    .header("Authorization", "Bearer " + endpoint.token())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(args)))
                    .build();
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            JsonNode body = JSON.readTree(response.body());
            if (response.statusCode() != 200) {
                throw new CliException(body.path("error").asText("HTTP " + response.statusCode()));
            }
            return body;
        } catch (ConnectException e) {
            throw new CliException("the daemon at " + endpoint.url() + " does not answer; is platter serve running?");
        } catch (IOException e) {
            throw new CliException("management API request failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    /** A failed command: one line for the operator. */
    static final class CliException extends Exception {
        CliException(String message) {
            super(message);
        }
    }
}
