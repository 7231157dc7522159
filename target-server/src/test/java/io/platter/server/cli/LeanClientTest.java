package io.platter.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.platter.server.manage.ApiEndpoint;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CLI call loads nothing of the daemon (docs/cli-latency.md): {@code platter status} and
 * {@code platter volume list} run in a JVM of their own against a stand-in management API, and the
 * JVM's class-load log must show none of the daemon's libraries (Netty, logback, the config loader,
 * the SCSI core, the image drivers, metrics), nor Jackson's ObjectMapper or the JDK's HttpClient.
 */
class LeanClientTest {

    private static final List<String> FORBIDDEN = List.of("io.netty.", "ch.qos.logback.", "io.platter.lun.",
            "io.platter.scsi.", "org.apache.commons.configuration2.", "org.yaml.snakeyaml.", "io.prometheus.",
            "io.platter.server.manage.Services", "com.fasterxml.jackson.databind.ObjectMapper", "java.net.http.");

    @TempDir
    Path dir;

    private HttpServer api;
    private final List<String> requests = new ArrayList<>();

    @BeforeEach
    void standInApi() throws Exception {
        api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            synchronized (requests) {
                requests.add(exchange.getRequestMethod() + " " + path + " " + body + " "
                        + exchange.getRequestHeaders().getFirst("Authorization"));
            }
            byte[] answer = (path.endsWith("/list") ? "[{\"name\":\"vol-a\",\"sizeBytes\":1048576}]"
                    : "{\"version\":\"9.9\",\"portals\":[\"127.0.0.1:3260\"],\"targets\":2,\"pool\":{}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        api.start();
        Path data = Files.createDirectory(dir.resolve("data"));
        writePrivate(data.resolve(ApiEndpoint.API_FILE), "http://127.0.0.1:" + api.getAddress().getPort() + "/");
        writePrivate(data.resolve(ApiEndpoint.TOKEN_FILE), "lean-token");
    }

    @AfterEach
    void stop() {
        api.stop(0);
    }

    @Test
    void statusLoadsNoDaemonClasses() throws Exception {
        List<String> loaded = run("status");
        assertThat(output).contains("platter 9.9", "127.0.0.1:3260", "targets:     2");
        assertThat(loaded).contains("io.platter.server.cli.StatusCommand", "io.platter.server.cli.Json");
        assertNoDaemonClasses(loaded);
        assertThat(requests).containsExactly("POST /v1/status {} Bearer lean-token");
    }

    @Test
    void volumeListLoadsNoDaemonClasses() throws Exception {
        List<String> loaded = run("volume", "list");
        assertThat(output).contains("vol-a", "1M");
        assertThat(loaded).contains("io.platter.server.cli.VolumeCommand$ListVolumes");
        // only the command named is introspected: picocli reads the fields of `image check` (its
        // RepairMode option) and of `serve` (their types) only when it builds the whole tree
        assertThat(loaded).doesNotContain("io.platter.server.ImageCommand$Check$RepairMode",
                "io.platter.config.PlatterConfig");
        assertNoDaemonClasses(loaded);
    }

    private static void assertNoDaemonClasses(List<String> loaded) {
        List<String> daemon = loaded.stream().filter(c -> FORBIDDEN.stream().anyMatch(c::startsWith)).toList();
        assertThat(daemon).as("daemon classes a CLI call loaded").isEmpty();
    }

    private String output;

    /** Runs {@code platter ARGS --data-dir DIR} in a JVM of its own; the classes it loaded. */
    private List<String> run(String... args) throws Exception {
        Path log = dir.resolve("classes.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info:file=" + log, "-cp", System.getProperty("java.class.path"),
                "io.platter.server.Main"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--data-dir", dir.resolve("data").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        List<String> classes = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            // [info][class,load] java.lang.Object source: shared objects file
            String[] words = line.split(" ");
            if (words.length > 1) {
                classes.add(words[1]);
            }
        }
        return classes;
    }

    private static void writePrivate(Path file, String text) throws Exception {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, text + "\n");
    }
}
