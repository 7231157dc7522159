package io.platter.server.manage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.platter.config.ChapCredentials;
import io.platter.config.PlatterConfig;
import io.platter.config.Portal;
import io.platter.config.ServerSettings;
import io.platter.config.TargetConfig;
import io.platter.iscsi.session.ExportedTarget;
import io.platter.server.Daemon;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** acl/* and chap/* on a running daemon: applied to the exported target, persisted, secrets kept out of answers. */
class AccessManagerTest {
    private static final String IQN = "iqn.2026-11.io.platter:acl-test";
    private static final String HOST1 = "iqn.2026-11.com.example:host1";
    private static final String HOST2 = "iqn.2026-11.com.example:host2";
    private static final String SECRET = "s3cret-for-unit-16";
    private static final String MUTUAL = "mutual-secret-0016";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
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
                new ServerSettings(List.of(new Portal("127.0.0.1", port)), dir.resolve("data"), 1),
                List.of(new TargetConfig(IQN, null, List.of())));
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

    private ManagementException refused(String path, Map<String, Object> args) {
        ManagementException e = catchThrowableOfType(ManagementException.class, () -> run(path, args));
        assertThat(e).as(path + " " + args.keySet() + " should be refused").isNotNull();
        return e;
    }

    private ExportedTarget exported() {
        return daemon.targets().stream().filter(t -> t.name().equals(IQN)).findFirst().orElseThrow();
    }

    private PlatterConfig saved() throws Exception {
        return TestCatalogs.saved(dir.resolve("data"));
    }

    private long generation() {
        return services.config().generation();
    }

    @Test
    void aclAddAppliesAtOnceAndIsSaved() throws Exception {
        assertThat(exported().allows(HOST2)).as("empty ACL admits everyone").isTrue();
        Views.Acl acl = (Views.Acl) run("acl/add", Map.of("target", IQN, "initiator", HOST1.toUpperCase()));

        assertThat(acl.initiators()).containsExactly(HOST1);
        assertThat(exported().allows(HOST1)).isTrue();
        assertThat(exported().allows(HOST2)).isFalse();
        assertThat(saved().target(IQN).orElseThrow().acl()).containsExactly(HOST1);
        assertThat(((Views.Acl) run("acl/list", Map.of("target", IQN))).initiators()).containsExactly(HOST1);
    }

    @Test
    void aclErrorsAreOneLineAndChangeNothing() throws Exception {
        run("acl/add", Map.of("target", IQN, "initiator", HOST1));
        long before = generation();

        assertThat(refused("acl/add", Map.of("target", IQN, "initiator", HOST1)).kind())
                .isEqualTo(ManagementException.Kind.CONFLICT);
        ManagementException bad = refused("acl/add", Map.of("target", IQN, "initiator", "host1"));
        assertThat(bad.kind()).isEqualTo(ManagementException.Kind.BAD_REQUEST);
        assertThat(bad.getMessage()).contains("bad initiator name").doesNotContain("\n");
        assertThat(refused("acl/add", Map.of("target", "iqn.2026-11.io.platter:none", "initiator", HOST1)).kind())
                .isEqualTo(ManagementException.Kind.NOT_FOUND);
        assertThat(refused("acl/remove", Map.of("target", IQN, "initiator", HOST2)).getMessage())
                .contains("not in the ACL");
        assertThat(generation()).as("nothing committed").isEqualTo(before);
        assertThat(saved().target(IQN).orElseThrow().acl()).containsExactly(HOST1);
    }

    @Test
    void removingTheLastInitiatorNeedsOpen() throws Exception {
        run("acl/add", Map.of("target", IQN, "initiator", HOST1));
        run("acl/add", Map.of("target", IQN, "initiator", HOST2));
        run("acl/remove", Map.of("target", IQN, "initiator", HOST1));
        assertThat(exported().allows(HOST1)).as("removed initiator refused").isFalse();
        assertThat(exported().allows(HOST2)).isTrue();

        ManagementException last = refused("acl/remove", Map.of("target", IQN, "initiator", HOST2));
        assertThat(last.getMessage()).contains("--open");
        assertThat(exported().allows(HOST1)).isFalse();

        run("acl/remove", Map.of("target", IQN, "initiator", HOST2, "open", true));
        assertThat(exported().allows(HOST1)).isTrue();
        assertThat(saved().target(IQN).orElseThrow().acl()).isEmpty();
    }

    @Test
    void chapSetAppliesSavesAndNeverAnswersWithTheSecret() throws Exception {
        Views.Done done = (Views.Done) run("chap/set", Map.of("target", IQN, "user", "alice", "secret", SECRET,
                "mutualUser", "platter", "mutualSecret", MUTUAL));

        ChapCredentials expected = new ChapCredentials("alice", SECRET, "platter", MUTUAL);
        assertThat(exported().chap()).isEqualTo(expected);
        assertThat(saved().target(IQN).orElseThrow().chap()).isEqualTo(expected);
        String answers = JSON.writeValueAsString(done) + JSON.writeValueAsString(run("target/list", Map.of()));
        assertThat(answers).contains("mutual", "alice").doesNotContain(SECRET, MUTUAL);

        run("chap/clear", Map.of("target", IQN));
        assertThat(exported().chap()).isNull();
        assertThat(saved().target(IQN).orElseThrow().chap()).isNull();
        assertThat(JSON.writeValueAsString(run("target/list", Map.of()))).contains("\"chap\":\"none\"");
    }

    @Test
    void aClearedSecretIsInNoFileAndASetOneOnlyInPrivateFiles() throws Exception {
        // Issue 21 finding 7 and issue 15 item 5: secrets only in 0600 catalog files, and a cleared one
        // in no file at all (older generations holding it are removed with it).
        run("chap/set", Map.of("target", IQN, "user", "alice", "secret", SECRET));
        run("acl/add", Map.of("target", IQN, "initiator", HOST1));
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> holding = files.filter(Files::isRegularFile).filter(f -> read(f).contains(SECRET)).toList();
            assertThat(holding).as("files holding the secret").isNotEmpty();
            for (Path f : holding) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as(f.toString())
                        .isEqualTo("rw-------");
            }
        }

        run("chap/clear", Map.of("target", IQN));

        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile).filter(f -> read(f).contains(SECRET)))
                    .as("files still holding the cleared secret").isEmpty();
        }
    }

    private static String read(Path f) {
        try {
            return new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void discoveryChapIsSaved() throws Exception {
        run("chap/set", Map.of("discovery", true, "user", "disco", "secret", SECRET));
        assertThat(saved().server().discoveryChap()).isEqualTo(ChapCredentials.oneWay("disco", SECRET));
        run("chap/clear", Map.of("discovery", true));
        assertThat(saved().server().discoveryChap()).isNull();
    }

    @Test
    void secretRulesAreTheConfigFilesAndMessagesHideSecrets() throws Exception {
        long before = generation();
        ManagementException empty = refused("chap/set", Map.of("target", IQN, "user", "alice", "secret", ""));
        assertThat(empty.getMessage()).contains("must not be empty");
        ManagementException same = refused("chap/set", Map.of("target", IQN, "user", "alice", "secret", SECRET,
                "mutualUser", "platter", "mutualSecret", SECRET));
        assertThat(same.getMessage()).contains(ChapCredentials.SAME_SECRETS).doesNotContain(SECRET);
        assertThat(refused("chap/set", Map.of("target", IQN, "user", "alice", "secret", SECRET,
                "mutualSecret", MUTUAL)).getMessage()).contains("mutual user").doesNotContain(MUTUAL);
        assertThat(refused("chap/set", Map.of("target", IQN, "discovery", true, "user", "a", "secret", SECRET))
                .getMessage()).contains("not both");
        assertThat(refused("chap/clear", Map.of()).kind()).isEqualTo(ManagementException.Kind.BAD_REQUEST);
        assertThat(generation()).isEqualTo(before);

        assertThat(refused("chap/set", Map.of("target", IQN, "user", "alice", "secret", "short-8b")).getMessage())
                .contains("only 8 bytes", "allow-short-secret").doesNotContain("short-8b");
        assertThat(generation()).isEqualTo(before);
        Views.Done shortOne = (Views.Done) run("chap/set", Map.of("target", IQN, "user", "alice", "secret", "short-8b",
                "allowShortSecret", true));
        assertThat(shortOne.message()).contains("warning", "only 8 bytes").doesNotContain("short-8b");
        assertThat(exported().chap().secret()).isEqualTo("short-8b");
    }

    @Test
    void reloadAppliesAnEditedCatalogWithoutDroppingTheTarget() throws Exception {
        ExportedTarget before = exported();
        PlatterConfig edited = saved().withTargets(List.of(saved().target(IQN).orElseThrow()
                .withAcl(List.of(HOST2)).withChap(ChapCredentials.oneWay("bob", SECRET))))
                .withDiscoveryChap(ChapCredentials.oneWay("disco", MUTUAL));
        // Without a config file, reload re-reads the catalog (here changed by another writer).
        io.platter.config.catalog.FileCatalog.of(dir.resolve("data")).commit(generation(), edited);

        assertThat(services.reload().message()).as("the target and discovery").contains("2 change(s)");
        assertThat(exported().scsi()).as("same SCSI target: LUNs and sessions kept").isSameAs(before.scsi());
        assertThat(exported().allows(HOST1)).isFalse();
        assertThat(exported().chap().user()).isEqualTo("bob");
    }
}
