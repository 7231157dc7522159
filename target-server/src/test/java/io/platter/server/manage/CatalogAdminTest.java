package io.platter.server.manage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.platter.config.PlatterConfig;
import io.platter.config.Portal;
import io.platter.config.ServerSettings;
import io.platter.server.Daemon;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config/backup, config/restore and config/generations on a running daemon. */
class CatalogAdminTest {
    private static final String A = "iqn.2026-12.io.platter:a";
    private static final String B = "iqn.2026-12.io.platter:b";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    java.nio.file.Path dir;
    private Daemon daemon;
    private Services services;

    @BeforeEach
    void start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            port = s.getLocalPort();
        }
        PlatterConfig config = new PlatterConfig(PlatterConfig.CURRENT_VERSION,
                new ServerSettings(List.of(new Portal("127.0.0.1", port)), dir.resolve("data"), 1), List.of());
        daemon = Daemon.start(config);
        services = Services.of(daemon, TestCatalogs.inCatalog(config), "test");
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    private Object run(String path, Map<String, Object> args) {
        return Operation.find(path).run(services, new Args(JSON.valueToTree(args)));
    }

    private List<String> exported() {
        return daemon.targets().stream().map(t -> t.name()).sorted().toList();
    }

    @Test
    void aBackupRestoredBringsItsTargetsBackAsANewGeneration() {
        run("target/create", Map.of("iqn", A));
        Views.ConfigText backup = (Views.ConfigText) run("config/backup", Map.of());
        run("target/delete", Map.of("iqn", A));
        run("target/create", Map.of("iqn", B));
        long before = services.config().generation();

        Views.Done done = (Views.Done) run("config/restore", Map.of("text", backup.text()));

        assertThat(done.message()).contains("generation " + (before + 1));
        assertThat(exported()).containsExactly(A);
        assertThat(services.config().get().targets()).extracting(t -> t.iqn()).containsExactly(A);
        @SuppressWarnings("unchecked")
        List<Views.Generation> generations = (List<Views.Generation>) run("config/generations", Map.of());
        assertThat(generations.get(0).number()).isEqualTo(before + 1);
        assertThat(generations.get(0).current()).isTrue();
        assertThat(generations).hasSizeGreaterThan(3);
    }

    @Test
    void aBadBackupChangesNothing() {
        run("target/create", Map.of("iqn", A));
        long before = services.config().generation();
        for (String text : List.of("targets: [oops", "server:\n  portals: [\"0.0.0.0:3260\"]\n",
                "targets:\n  - iqn: not-an-iqn\n")) {
            ManagementException e = catchThrowableOfType(ManagementException.class,
                    () -> run("config/restore", Map.of("text", text)));
            assertThat(e).as(text).isNotNull();
            assertThat(e.kind()).isEqualTo(ManagementException.Kind.BAD_REQUEST);
            assertThat(e.getMessage()).startsWith("not a usable backup, nothing was changed");
        }
        assertThat(services.config().generation()).isEqualTo(before);
        assertThat(exported()).containsExactly(A);
    }

    @Test
    void anExportLeavesSecretsOutUnlessAsked() {
        run("target/create", Map.of("iqn", A));
        run("chap/set", Map.of("target", A, "user", "u", "secret", "export-secret-16b"));
        String without = ((Views.ConfigText) run("config/export", Map.of())).text();
        String with = ((Views.ConfigText) run("config/export", Map.of("includeSecrets", true))).text();
        assertThat(without).doesNotContain("export-secret-16b").contains("--include-secrets").contains("portals");
        assertThat(with).contains("export-secret-16b");
    }
}
