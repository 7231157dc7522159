package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 items 3, 4, 5 and 9 over real processes: what the CLI makes lives in the daemon's catalog
 * under the data directory, every start mode finds it again, the operator's file is never written,
 * the export serves the same targets elsewhere, and a broken or empty file is handled.
 */
class CatalogIT {

    private static final String MADE = "iqn.2026-12.io.platter:made";
    private static final String HOST = "iqn.2026-12.com.example:host";
    private static final String SECRET = "catalog-it-secret-16";
    private static final Duration SERVE = Duration.ofMinutes(1);

    @Test
    void theQuickStartFindsWhatTheCliMadeAfterARestart() throws Exception {
        try (PlatterProcess server = PlatterProcess.startWithoutConfig("catalog-quick")) {
            assertThat(server.cliOk("target", "list")).contains("iqn.2026-11.io.platter:demo");
            server.cliOk("volume", "create", "v1", "--size", "16M");
            server.cliOk("target", "create", MADE);
            server.cliOk("lun", "map", MADE, "v1", "--lun", "0");
            server.cliOk("target", "delete", "iqn.2026-11.io.platter:demo", "--force");

            server.restart();   // the same way: no --config, the same --data-dir

            String targets = server.cliOk("target", "list");
            assertThat(targets).as("made by the CLI, still there").contains(MADE)
                    .as("the deleted demo stays deleted").doesNotContain("iqn.2026-11.io.platter:demo");
            assertThat(server.cliOk("volume", "list")).contains("v1");
            assertThat(Tools.runOk("iscsi-ls", "-s", server.portalUrl())).contains("Target:" + MADE).contains("Lun:0");
            assertThat(server.logText()).as("v1 is known after the restart").doesNotContain("v1.qcow2 in");
            Path newest = PlatterProcess.newestCatalogGeneration(server.dataDir());
            assertThat(mode(newest)).isEqualTo("rw-------");
            assertThat(server.dataDir().resolve("platter.yaml")).as("nothing written beside it any more").doesNotExist();
            server.stop();

            // The same name declared in a file and held by the catalog: the start fails and names both.
            Path clash = Files.writeString(server.workDir().resolve("clash.yaml"), """
                    server:
                      data-dir: %s
                    targets:
                      - iqn: %s
                    """.formatted(server.dataDir(), MADE));
            Tools.Result r = PlatterProcess.main(SERVE, "serve", "--config", clash.toString(),
                    "--portal", "127.0.0.1:" + PlatterProcess.freePort());
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
            assertThat(r.output()).contains("target " + MADE + " is declared in " + clash)
                    .contains("also in the catalog " + server.dataDir().resolve("catalog"));
        }
    }

    @Test
    void twentyChangesLeaveTheCommentedFileAloneAndTheExportServesTheSameTargets() throws Exception {
        String[] original = new String[1];
        try (PlatterProcess a = PlatterProcess.start("catalog-file", (port, dataDir) -> {
            original[0] = """
                    # Lab SAN. Hand-written: keep these comments.
                    version: 1
                    server:
                      portals: ["127.0.0.1:%d"]   # loopback for the test
                      data-dir: %s
                    targets:
                      - iqn: %s      # declared: the CLI may not change it
                        luns:
                          - {id: 0, image: lun0.img, size: 16M}
                    """.formatted(port, dataDir, PlatterProcess.IQN);
            return original[0];
        })) {
            Path file = a.config();
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
            List<Tools.Result> changes = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                String iqn = MADE + i;
                changes.add(a.cli("target", "create", iqn, "--alias", "made" + i));
                changes.add(a.cli("volume", "create", "v" + i, "--size", "8M"));
                changes.add(a.cli("lun", "map", iqn, "v" + i, "--lun", String.valueOf(i)));
                changes.add(a.cli("acl", "add", iqn, HOST));
            }
            changes.add(a.cli("chap", "set", MADE + 0, "--user", "u0", "--secret", SECRET));
            assertThat(changes).hasSize(21).allSatisfy(r -> assertThat(r.ok()).as(r.describe()).isTrue());
            Tools.result(a.cli("acl", "add", PlatterProcess.IQN, HOST),
                    "target " + PlatterProcess.IQN + " is declared in " + file + ": edit the file and run `platter reload`");

            assertThat(Files.readString(file)).as("byte for byte").isEqualTo(original[0]);
            assertThat(mode(file)).isEqualTo("rw-r-----");
            try (Stream<Path> beside = Files.list(file.getParent())) {
                assertThat(beside.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("platter.yaml."));
            }
            assertThat(mode(PlatterProcess.newestCatalogGeneration(a.dataDir()))).isEqualTo("rw-------");
            assertThat(Files.readString(PlatterProcess.newestCatalogGeneration(a.dataDir()))).contains(SECRET);
            assertThat(a.cliOk("config", "generations")).contains("21");

            String withoutSecrets = a.cliOk("config", "export");
            assertThat(withoutSecrets).doesNotContain(SECRET).contains("--include-secrets");
            Path exported = a.workDir().resolve("exported.yaml");
            a.cliOk("config", "export", "--include-secrets", "-o", exported.toString());
            assertThat(mode(exported)).isEqualTo("rw-------");
            String listA = a.cliOk("target", "list");
            a.stop();

            // A fresh data directory with copies of the images (and their identities), served by the export.
            String text = Files.readString(exported);
            try (PlatterProcess b = PlatterProcess.start("catalog-export", (port, fresh) -> {
                try (Stream<Path> files = Files.list(a.dataDir())) {
                    for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString()
                            .startsWith(".platter")).toList()) {
                        Files.copy(f, fresh.resolve(f.getFileName()));
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return text.replace("data-dir: " + a.dataDir(), "data-dir: " + fresh);
            })) {
                assertThat(Files.readString(b.config())).as("the data directory is named once")
                        .contains("data-dir: " + b.dataDir());
                assertThat(b.cliOk("target", "list")).isEqualTo(listA);
                assertThat(Tools.runOk("iscsi-ls", "-i", HOST, b.portalUrl())).as("the ACL admits HOST")
                        .contains("Target:" + MADE + "3");
            }

            // Without --include-secrets the export does not serve: the loader says why.
            Path noSecrets = Files.writeString(a.workDir().resolve("no-secrets.yaml"), withoutSecrets);
            Tools.Result r = PlatterProcess.main(SERVE, "serve", "--config", noSecrets.toString());
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
            assertThat(r.output()).contains("the secret was left out when this file was exported");
        }
    }

    @Test
    void aBrokenFileOnDiskLeavesReadOnlyCommandsWorkingAndAnEmptyOneDoesNotStart() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("catalog-broken", (port, dataDir) -> """
                server:
                  portals: ["127.0.0.1:%d"]
                  data-dir: %s
                targets:
                  - iqn: %s
                    luns:
                      - {id: 0, image: lun0.img, size: 16M}
                  - iqn: iqn.2026-12.io.platter:secured
                    chap: {user: u, secret: "%s"}
                """.formatted(port, dataDir, PlatterProcess.IQN, SECRET))) {
            Path file = server.config();
            // Item 5: a file holding a secret that others may read is named at start, the secret never.
            assertThat(mode(file)).as("premise: the test wrote it world-readable").endsWith("r--");
            assertThat(server.logText()).containsPattern("WARN.*" + file + " holds CHAP secrets and is readable by every"
                    + " user \\(mode rw-r--r--\\)").doesNotContain(SECRET);
            String good = Files.readString(file);
            // An edit half done: the data-dir line is intact, the rest is no YAML.
            Files.writeString(file, good + "targets: [oops\n");
            Tools.Result status = PlatterProcess.main(SERVE, "status", "--config", file.toString());
            assertThat(status.ok()).as(status.describe()).isTrue();
            assertThat(status.output()).contains("portals:");
            // A reload of it fails loudly (ERROR), and the daemon keeps serving.
            Tools.result(server.cli("reload"), "the config file has problems");
            assertThat(server.logText()).containsPattern("ERROR.*reload failed");
            assertThat(Tools.runOk("iscsi-ls", "-s", server.portalUrl())).contains("Lun:0");
            Files.writeString(file, good);
        }

        Path empty = Files.createTempFile("platter-empty", ".yaml");
        try {
            Files.writeString(empty, "# nothing yet\n", StandardCharsets.UTF_8);
            Tools.Result r = PlatterProcess.main(SERVE, "serve", "--config", empty.toString(),
                    "--portal", "127.0.0.1:" + PlatterProcess.freePort());
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
            assertThat(r.output()).contains(empty + " is empty");
        } finally {
            Files.delete(empty);
        }
    }


    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
