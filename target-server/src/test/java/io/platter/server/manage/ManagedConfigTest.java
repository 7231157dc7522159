package io.platter.server.manage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.platter.config.ConfigLoader;
import io.platter.config.PlatterConfig;
import io.platter.config.catalog.FileCatalog;
import io.platter.server.Daemon;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 items 3 and 4: changes through the API go to the catalog; the operator's file is never
 * written, and the objects it declares cannot be changed through the API.
 */
class ManagedConfigTest {
    private static final String DECLARED = "iqn.2026-12.io.platter:declared";
    private static final String HOST = "iqn.2026-12.com.example:host";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Path file;
    private String original;
    private Daemon daemon;
    private Services services;

    @BeforeEach
    void start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            port = s.getLocalPort();
        }
        file = dir.resolve("platter.yaml");
        original = """
                # The operator's own file: comments, relative paths and layout must survive.
                version: 1
                server:
                  portals: ["127.0.0.1:%d"]   # loopback for the test
                  data-dir: data              # relative on purpose
                targets:
                  - iqn: %s
                    luns:
                      - id: 0
                        image: declared0.img
                        size: 1M
                volumes:
                  - {name: dv, image: declared0.img, format: raw}
                """.formatted(port, DECLARED);
        Files.writeString(file, original);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        PlatterConfig loaded = ConfigLoader.load(file);
        daemon = Daemon.start(loaded);
        services = Services.of(daemon, TestCatalogs.declared(file, loaded), "test");
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    private Object run(String path, Map<String, Object> args) {
        return Operation.find(path).run(services, new Args(JSON.valueToTree(args)));
    }

    @Test
    void twentyChangesLeaveTheFileByteIdenticalAndLandInTheCatalog() throws Exception {
        for (int i = 0; i < 5; i++) {
            String iqn = "iqn.2026-12.io.platter:made" + i;
            run("target/create", Map.of("iqn", iqn));
            run("volume/create", Map.of("name", "v" + i, "size", "1M", "format", "raw"));
            run("lun/map", Map.of("target", iqn, "volume", "v" + i, "lun", 0));
            run("acl/add", Map.of("target", iqn, "initiator", HOST));
        }

        assertThat(Files.readString(file)).isEqualTo(original);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no .bak or temporary file beside it")
                    .containsExactlyInAnyOrder("platter.yaml", "data");
        }
        FileCatalog catalog = FileCatalog.of(dir.resolve("data"));
        PlatterConfig saved = catalog.load().objects();
        assertThat(catalog.load().number()).isEqualTo(20);
        assertThat(saved.targets()).hasSize(5).noneMatch(t -> t.iqn().equals(DECLARED));
        assertThat(saved.target("iqn.2026-12.io.platter:made4").orElseThrow().acl()).containsExactly(HOST);
        assertThat(saved.volumes()).hasSize(5).noneMatch(v -> v.name().equals("dv"));
        assertThat(services.config().get().targets()).hasSize(6);
    }

    @Test
    void aDeclaredTargetCannotBeChangedThroughTheApi() throws Exception {
        run("volume/create", Map.of("name", "v", "size", "1M", "format", "raw"));
        long generation = services.config().generation();

        for (var change : java.util.List.<Map<String, Object>>of(
                Map.of("op", "lun/map", "target", DECLARED, "volume", "v", "lun", 1),
                Map.of("op", "acl/add", "target", DECLARED, "initiator", HOST),
                Map.of("op", "chap/set", "target", DECLARED, "user", "u", "secret", "a-secret-of-16-b"),
                Map.of("op", "lun/unmap", "target", DECLARED, "lun", 0),
                Map.of("op", "target/delete", "target", DECLARED, "iqn", DECLARED, "force", true))) {
            Map<String, Object> args = new java.util.HashMap<>(change);
            String op = (String) args.remove("op");
            ManagementException e = catchThrowableOfType(ManagementException.class, () -> run(op, args));
            assertThat(e).as(op + " must be refused").isNotNull();
            assertThat(e.kind()).isEqualTo(ManagementException.Kind.CONFLICT);
            assertThat(e.getMessage()).as(op).contains("target " + DECLARED + " is declared in " + file
                    + ": edit the file and run `platter reload`");
        }

        Path image = dir.resolve("data").resolve("declared0.img");
        for (var change : java.util.List.<Map<String, Object>>of(
                Map.of("op", "volume/delete", "name", "dv", "force", true),
                Map.of("op", "volume/resize", "name", "dv", "size", "2M"))) {
            Map<String, Object> args = new java.util.HashMap<>(change);
            String op = (String) args.remove("op");
            ManagementException e = catchThrowableOfType(ManagementException.class, () -> run(op, args));
            assertThat(e).as(op + " must be refused").isNotNull();
            assertThat(e.getMessage()).as(op).contains("is declared in " + file);
            assertThat(daemon.mappedImage(image)).as(op + ": the LUN still served").isNotNull();
            assertThat(daemon.mappedImage(image).device().size()).as(op + ": the medium unchanged").isEqualTo(1 << 20);
        }

        assertThat(services.config().generation()).as("nothing committed").isEqualTo(generation);
        assertThat(services.config().get().target(DECLARED).orElseThrow().luns()).hasSize(1);
        assertThat(daemon.targets().stream().filter(t -> t.name().equals(DECLARED)).findFirst().orElseThrow()
                .allows(HOST)).as("the running target unchanged too").isTrue();
        assertThat(Files.readString(file)).isEqualTo(original);
    }
}
