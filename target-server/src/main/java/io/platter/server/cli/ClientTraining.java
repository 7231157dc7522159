package io.platter.server.cli;

import io.platter.server.Main;
import io.platter.server.manage.ApiEndpoint;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * The training run for the CLI's class-data sharing archive (docs/cli-latency.md): the launchers
 * start it once under {@code -XX:ArchiveClassesAtExit} and every later client call maps the classes
 * it loaded instead of reading and verifying them from the jar. It plays a few client calls against
 * a throw-away stand-in for the management API on a loopback port of its own (published in a
 * temporary data directory as the daemon would), so the archive holds what a real call loads: the
 * whole command tree, option parsing, locating and trusting the endpoint, the HTTP request, the JSON
 * answer and the printing, and an error answer. It needs no daemon and prints nothing.
 */
public final class ClientTraining {

    private static final List<List<String>> CALLS = List.of(
            List.of("status"), List.of("volume", "list"), List.of("volume", "create", "v", "--size", "1G"),
            List.of("snapshot", "list", "v", "--json"), List.of("clone", "v@s", "c"), List.of("lun", "map", "t", "c"),
            List.of("target", "list"), List.of("session", "list"), List.of("volume", "show", "missing"));

    private ClientTraining() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("platter-cli-training");
        try (ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress())) {
            Thread api = new Thread(() -> serve(server), "platter-training-api");
            api.setDaemon(true);
            api.start();
            writePrivate(dir.resolve(ApiEndpoint.API_FILE), "http://127.0.0.1:" + server.getLocalPort() + "/");
            writePrivate(dir.resolve(ApiEndpoint.TOKEN_FILE), "training");
            PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
            CommandLine usage = new CommandLine(new Main()).setOut(nowhere).setErr(nowhere);
            usage.execute("--help");
            usage.execute("help", "volume", "create");
            for (List<String> call : CALLS) {
                String[] argv = Stream.concat(call.stream(), Stream.of("--data-dir", dir.toString()))
                        .toArray(String[]::new);
                Main.commandLine(argv).setOut(nowhere).setErr(nowhere).execute(argv);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void writePrivate(Path file, String text) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, text + "\n");
    }

    /** Answers each request with a small JSON body: a list for {@code .../list}, an error for a missing volume. */
    private static void serve(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                InputStream in = new BufferedInputStream(s.getInputStream());
                String head = readHead(in);
                int length = 0;
                for (String line : head.split("\r\n")) {
                    if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                in.readNBytes(length);
                String path = head.split(" ", 3)[1];
                boolean error = path.endsWith("/show");
                String body = error ? "{\"error\":\"no volume missing\"}"
                        : path.endsWith("/list") ? "[{\"name\":\"v\",\"sizeBytes\":1073741824,\"lun\":-1,\"luns\":[]}]"
                        : "{\"name\":\"v\",\"sizeBytes\":1073741824,\"portals\":[\"127.0.0.1:3260\"],\"pool\":{}}";
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                OutputStream out = s.getOutputStream();
                out.write(((error ? "HTTP/1.1 404 Not Found" : "HTTP/1.1 200 OK") + "\r\nContent-Type: application/json"
                        + "\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.flush();
            } catch (IOException | RuntimeException e) {
                // the training only needs the client's side to run; a broken exchange is one class fewer
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
                break;
            }
        }
        return head.toString();
    }
}
