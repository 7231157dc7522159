package io.platter.tests;

import static io.platter.tests.support.Tools.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.server.manage.ApiEndpoint;
import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.Tools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a token holder or a tenant's image can reach through {@code volume import} and {@code
 * volume delete} (issue 21 findings 3, 5 and 15): a qcow2 header a tenant wrote names no host file
 * the LUN then reads, imports come from the data directory only, one file is one volume, nothing
 * outside the data directory is deleted without saying so, and the management API does not listen
 * on the network in clear.
 */
@Timeout(300)
class ImportSecurityIT {

    private static final Duration QEMU = Duration.ofMinutes(2);
    private static final String IQN = PlatterProcess.IQN;
    private static final String SECRET = "chap-secret: not-for-initiators";

    /** A host file the daemon's user can read, outside the data directory (stands in for /etc/platter/platter.yaml). */
    private static Path secret(PlatterProcess server) throws Exception {
        Path secret = server.workDir().resolve("secret.txt");
        Files.write(secret, Arrays.copyOf(SECRET.getBytes(StandardCharsets.US_ASCII), 1 << 20));
        return secret;
    }

    private static String qemuIo(String url, String command) {
        return Tools.runOk(QEMU, cmd("qemu-io", "-f", "raw", "-c", command, url));
    }

    @Test
    void aQcow2HeaderWrittenByATenantNamesNoHostFile() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("import-hostile-qcow2", "4M")) {
            Path secret = secret(server);
            // The tenant writes, over iSCSI, a qcow2 header naming the host file as raw backing onto its raw LUN.
            Path evil = server.workDir().resolve("evil.qcow2");
            Tools.runOk(QEMU, cmd("qemu-img", "create", "-f", "qcow2", "-b", secret, "-F", "raw", evil, "1M"));
            Tools.runOk(QEMU, cmd("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", evil, server.url(0)));
            // The operator restores a copy of the tenant's volume and imports it.
            Path incoming = Files.createDirectories(server.dataDir().resolve("incoming"));
            Path restored = incoming.resolve("restored.img");
            Files.copy(server.image(), restored);
            Path config = server.workDir().resolve("platter.yaml");
            String before = Files.readString(config);

            Tools.Result guessed = server.cli("volume", "import", "restored", restored.toString(), "--copy");
            assertThat(guessed.ok()).as(guessed.describe()).isFalse();
            assertThat(guessed.output()).contains("--format");
            HttpResponse<String> api = post(server, "volume/import",
                    "{\"name\": \"restored\", \"file\": \"" + restored + "\", \"copy\": true}");
            assertThat(api.statusCode()).as(api.body()).isEqualTo(400);
            assertThat(api.body()).contains("--format");

            Tools.result(server.cli("volume", "import", "restored", restored.toString(), "--format", "qcow2", "--copy"),
                    "is absolute");
            Tools.result(server.cli("volume", "import", "restored", restored.toString(), "--format", "qcow2"),
                    "is absolute");
            Path up = incoming.resolve("up.qcow2");
            Tools.runOk(QEMU, cmd("qemu-img", "create", "-f", "qcow2", "-b", "../../secret.txt", "-F", "raw", "-u",
                    up, "1M"));
            Tools.result(server.cli("volume", "import", "up", up.toString(), "--format", "qcow2"), "climbs with ..");
            Files.createSymbolicLink(incoming.resolve("link.img"), secret);
            Path linked = incoming.resolve("linked.qcow2");
            Tools.runOk(QEMU, cmd("qemu-img", "create", "-f", "qcow2", "-b", "link.img", "-F", "raw", "-u",
                    linked, "1M"));
            Tools.result(server.cli("volume", "import", "linked", linked.toString(), "--format", "qcow2"),
                    "outside");
            Path unknown = incoming.resolve("unknown.qcow2");
            Files.write(incoming.resolve("stray.img"), new byte[1 << 20]);
            Tools.runOk(QEMU, cmd("qemu-img", "create", "-f", "qcow2", "-b", "stray.img", "-F", "raw", "-u",
                    unknown, "1M"));
            Tools.result(server.cli("volume", "import", "unknown", unknown.toString(), "--format", "qcow2"),
                    "is no volume");

            assertThat(Files.readString(config)).as("config after refused imports").isEqualTo(before);
            assertThat(server.cliOk("volume", "list")).doesNotContain("restored").doesNotContain("linked");
            try (var files = Files.list(server.dataDir())) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("restored"));
            }
            try (var files = Files.list(incoming)) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".id"));
            }

            // Said to be raw, it is raw: the LUN reads the header bytes, never the host file.
            server.cliOk("volume", "import", "restored", restored.toString(), "--format", "raw", "--copy",
                    "--target", IQN, "--lun", "1");
            String head = qemuIo(server.url(1), "read -v 0 16");
            assertThat(head).contains("51 46 49 fb").doesNotContain("chap");
            server.assertNoInternalErrors();
        }
    }

    @Test
    void aVolumeWhoseHeaderNowNamesAHostFileIsNotOpenedAfterARestart() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("import-restart-backing", "4M")) {
            Path secret = secret(server);
            server.cliOk("volume", "create", "q", "--size", "1M", "--format", "qcow2");
            server.stop();
            Path q = server.dataDir().resolve("q.qcow2");
            Files.delete(q);
            Tools.runOk(QEMU, cmd("qemu-img", "create", "-f", "qcow2", "-b", secret, "-F", "raw", q, "1M"));
            server.startAgain();
            Tools.result(server.cli("lun", "map", IQN, "q", "--lun", "1"), "outside");
            assertThat(server.cli("volume", "show", "q").output()).doesNotContain("chap");
        }
    }

    @Test
    void importsComeFromTheDataDirectoryAndOneFileIsOneVolume() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("import-allow-list", "4M")) {
            Path outside = Files.createDirectories(server.workDir().resolve("outside"));
            Path foreign = outside.resolve("foreign.img");
            Files.write(foreign, new byte[1 << 20]);
            Tools.result(server.cli("volume", "import", "f", foreign.toString(), "--format", "raw"),
                    "outside the data directory");
            Tools.result(server.cli("volume", "import", "f", foreign.toString(), "--format", "raw", "--copy"),
                    "outside the data directory");
            Path incoming = Files.createDirectories(server.dataDir().resolve("incoming"));
            Files.createSymbolicLink(incoming.resolve("sneaky.img"), foreign);
            Tools.result(server.cli("volume", "import", "f", incoming.resolve("sneaky.img").toString(), "--format",
                    "raw"), "outside the data directory");
            Tools.result(server.cli("volume", "import", "t", server.dataDir().resolve(ApiEndpoint.TOKEN_FILE).toString(),
                    "--format", "raw", "--copy"), "not named like an image");
            assertThat(outside.resolve("foreign.img.id")).doesNotExist();

            // Finding 15: a symlink or a hard link to a served image is that image, not a new LUN.
            Files.createSymbolicLink(incoming.resolve("alias.img"), server.image());
            Tools.result(server.cli("volume", "import", "alias", incoming.resolve("alias.img").toString(), "--format",
                    "raw", "--target", IQN, "--lun", "1"), "already the image of LUN 0");
            Files.createLink(incoming.resolve("hard.img"), server.image());
            Tools.result(server.cli("volume", "import", "hard", incoming.resolve("hard.img").toString(), "--format",
                    "raw"), "already the image of LUN 0");
            Path ok = incoming.resolve("ok.img");
            Files.write(ok, new byte[1 << 20]);
            server.cliOk("volume", "import", "ok", ok.toString(), "--format", "raw");
            Files.createSymbolicLink(server.dataDir().resolve("again.img"), ok);
            Tools.result(server.cli("volume", "import", "again", server.dataDir().resolve("again.img").toString(),
                    "--format", "raw"), "already the image of volume ok");
            assertThat(server.cliOk("volume", "list")).doesNotContain("alias").doesNotContain("hard")
                    .doesNotContain("again");
            server.assertNoInternalErrors();
        }
    }

    /** Deleting the file outside the data directory needs --delete-file and --outside-data-dir (issue 15 item 2). */
    @Test
    void deletingAnImageOutsideTheDataDirectoryNeedsTheFlag() throws Exception {
        Path[] external = new Path[1];
        try (PlatterProcess server = PlatterProcess.startWithCatalog("import-delete-outside", (port, dataDir) -> {
            external[0] = dataDir.toAbsolutePath().getParent().resolve("external.img");
            return PlatterProcess.targetYaml(port, dataDir, """
                          - id: 0
                            image: lun0.img
                            size: 4M
                            provisioning: thin
                          - id: 1
                            image: %s
                            size: 1M
                            provisioning: thin
                    volumes:
                      - name: ext
                        image: %s
                        format: raw
                        provisioning: thin
                    """.formatted(external[0], external[0]));
        })) {
            assertThat(external[0]).exists();
            Tools.result(server.cli("volume", "delete", "ext", "--force", "--delete-file"), "outside the data directory");
            assertThat(external[0]).exists();
            assertThat(server.cliOk("volume", "list")).contains("ext");
            server.cliOk("volume", "delete", "ext", "--force", "--delete-file", "--outside-data-dir");
            assertThat(external[0]).doesNotExist();
        }
    }

    @Test
    void aManagementAddressOnTheNetworkWithoutTlsIsRefusedAtStart() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("import-management-exposed", "4M")) {
            Path exposed = server.workDir().resolve("exposed.yaml");
            Files.writeString(exposed, """
                    server:
                      portals: ["127.0.0.1:%d"]
                      management: 0.0.0.0:%d
                    """.formatted(PlatterProcess.freePort(), PlatterProcess.freePort()));
            Tools.Result r = server.cli("serve", "--config", exposed.toString());
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
            assertThat(r.output()).contains("not a loopback address").contains("--insecure-management");
        }
    }

    private static HttpResponse<String> post(PlatterProcess server, String operation, String json) throws Exception {
        ApiEndpoint api = ApiEndpoint.read(server.dataDir());
        HttpRequest request = HttpRequest.newBuilder(URI.create(api.url() + "v1/" + operation))
                .header("Authorization", "Bearer " + api.token())
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
