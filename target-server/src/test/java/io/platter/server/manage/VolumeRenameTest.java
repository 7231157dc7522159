package io.platter.server.manage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.platter.config.ConfigLoader;
import io.platter.config.catalog.Catalog;
import io.platter.config.catalog.FileCatalog;
import java.io.IOException;
import io.platter.config.PlatterConfig;
import io.platter.config.Portal;
import io.platter.config.ServerSettings;
import io.platter.config.TargetConfig;
import io.platter.server.Daemon;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * volume/rename, volume/resize with relative sizes, lun/list and target/show on a running daemon:
 * files follow a rename or nothing changes, IQNs are found in any case, LUNs come sorted.
 */
class VolumeRenameTest {
    private static final String IQN = "iqn.2026-11.io.platter:rename-test";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Path file;
    private Path data;
    private Daemon daemon;
    private ManagedConfig managed;
    private Services services;

    @BeforeEach
    void start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            port = s.getLocalPort();
        }
        data = dir.resolve("data");
        PlatterConfig config = new PlatterConfig(PlatterConfig.CURRENT_VERSION,
                new ServerSettings(List.of(new Portal("127.0.0.1", port)), data, 1),
                List.of(new TargetConfig(IQN, null, List.of())));
        daemon = Daemon.start(config);
        managed = TestCatalogs.inCatalog(config);
        services = Services.of(daemon, managed, "test");
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    private static Object run(Services s, String path, Map<String, Object> args) {
        return Operation.find(path).run(s, new Args(JSON.valueToTree(args)));
    }

    private Object run(String path, Map<String, Object> args) {
        return run(services, path, args);
    }

    private static ManagementException refused(Services s, String path, Map<String, Object> args) {
        ManagementException e = catchThrowableOfType(ManagementException.class, () -> run(s, path, args));
        assertThat(e).as(path + " " + args + " should be refused").isNotNull();
        return e;
    }

    /** A volume that was mapped once (so it has an identity) and has saved mode pages and reservations. */
    private Path volumeWithSidecars(String name) throws Exception {
        run("volume/create", Map.of("name", name, "size", "4M", "target", IQN.toUpperCase(), "lun", 3));
        run("lun/unmap", Map.of("target", IQN, "lun", 3));
        Path image = data.resolve(name + ".qcow2");
        Files.writeString(data.resolve(name + ".qcow2.mode"), "mode pages");
        Files.writeString(data.resolve(name + ".qcow2.pr"), "reservations");
        assertThat(data.resolve(name + ".qcow2.id")).exists();
        return image;
    }

    private List<String> filesOf(String name) throws Exception {
        try (Stream<Path> files = Files.list(data)) {
            return files.map(p -> p.getFileName().toString()).filter(f -> f.startsWith(name + ".")).sorted().toList();
        }
    }

    @Test
    void renameMovesTheImageAndItsSidecarsAndIsSaved() throws Exception {
        volumeWithSidecars("a");
        String identity = Files.readString(data.resolve("a.qcow2.id"));

        Views.Volume v = (Views.Volume) run("volume/rename", Map.of("name", "a", "newName", "b"));

        assertThat(v.name()).isEqualTo("b");
        assertThat(v.image()).isEqualTo(data.resolve("b.qcow2").toString());
        assertThat(filesOf("a")).isEmpty();
        assertThat(filesOf("b")).containsExactly("b.qcow2", "b.qcow2.id", "b.qcow2.mode", "b.qcow2.pr");
        assertThat(Files.readString(data.resolve("b.qcow2.id"))).isEqualTo(identity);
        PlatterConfig saved = TestCatalogs.saved(data);
        assertThat(saved.volume("a")).isEmpty();
        assertThat(saved.volume("b").orElseThrow().image()).isEqualTo(data.resolve("b.qcow2"));
    }

    /** A failure at the commit point (the config cannot be written) leaves the old name complete and no new file. */
    @Test
    void aRenameThatCannotBeSavedChangesNothing() throws Exception {
        volumeWithSidecars("a");
        FileCatalog real = FileCatalog.of(data);
        Catalog failing = new Catalog() {   // the commit point fails as a full or read-only disk would
            @Override public Catalog.Generation load() throws IOException { return real.load(); }
            @Override public Catalog.Generation commit(long basedOn, PlatterConfig objects) throws IOException {
                throw new IOException("No space left on device");
            }
            @Override public List<Catalog.GenerationInfo> generations() throws IOException { return real.generations(); }
            @Override public String text(long generation) throws IOException { return real.text(generation); }
            @Override public boolean exists() throws IOException { return real.exists(); }
            @Override public String location() { return real.location(); }
        };
        Services unsaveable = Services.of(daemon, new ManagedConfig(null, managed.declared(), failing, real.load(),
                real.empty()), "test");

        ManagementException e = refused(unsaveable, "volume/rename", Map.of("name", "a", "newName", "b"));

        assertThat(e.getMessage()).contains("nothing was changed");
        assertThat(filesOf("a")).containsExactly("a.qcow2", "a.qcow2.id", "a.qcow2.mode", "a.qcow2.pr");
        assertThat(filesOf("b")).isEmpty();
        assertThat(((Views.Volume) run("volume/show", Map.of("name", "a"))).name()).isEqualTo("a");
    }

    @Test
    void renameRefusesMappedVolumesTakenNamesAndLeftovers() throws Exception {
        run("volume/create", Map.of("name", "m", "size", "4M", "target", IQN));
        assertThat(refused(services, "volume/rename", Map.of("name", "m", "newName", "n")).getMessage())
                .contains("unmap it first");
        volumeWithSidecars("a");
        assertThat(refused(services, "volume/rename", Map.of("name", "a", "newName", "m")).getMessage())
                .contains("exists already");
        Files.writeString(data.resolve("c.qcow2.pr"), "left over");
        assertThat(refused(services, "volume/rename", Map.of("name", "a", "newName", "c")).getMessage())
                .contains("c.qcow2.pr exists already");
        assertThat(refused(services, "volume/rename", Map.of("name", "a", "newName", "../x")).kind())
                .isEqualTo(ManagementException.Kind.BAD_REQUEST);
        assertThat(filesOf("a")).hasSize(4);
    }

    @Test
    void relativeResizeGrowsAndShrinksFromTheCurrentSize() {
        run("volume/create", Map.of("name", "r", "size", "4M"));
        assertThat(((Views.Volume) run("volume/resize", Map.of("name", "r", "size", "+4M"))).sizeBytes())
                .isEqualTo(8L << 20);
        assertThat(refused(services, "volume/resize", Map.of("name", "r", "size", "-1M")).getMessage())
                .contains("--force");
        assertThat(((Views.Volume) run("volume/resize", Map.of("name", "r", "size", "-1M", "force", true)))
                .sizeBytes()).isEqualTo(7L << 20);
        assertThat(refused(services, "volume/resize", Map.of("name", "r", "size", "-7M", "force", true)).getMessage())
                .contains("leaves nothing");
        assertThat(refused(services, "volume/resize", Map.of("name", "r", "size", "+100")).getMessage())
                .contains("multiple of 512");
        assertThat(refused(services, "volume/resize", Map.of("name", "r", "size", -5)).kind())
                .isEqualTo(ManagementException.Kind.BAD_REQUEST);
    }

    @Test
    void lunListAndTargetShowFindTargetsInAnyCaseAndSortLuns() {
        for (String[] v : new String[][] {{"v9", "9"}, {"v1", "1"}, {"v4", "4"}}) {
            run("volume/create", Map.of("name", v[0], "size", "4M", "target", IQN, "lun", Integer.parseInt(v[1])));
        }
        @SuppressWarnings("unchecked")
        List<Views.LunEntry> luns = (List<Views.LunEntry>) run("lun/list", Map.of("target", IQN.toUpperCase()));
        assertThat(luns).extracting(Views.LunEntry::lun).containsExactly(1, 4, 9);
        assertThat(luns).extracting(Views.LunEntry::state).containsOnly("online");
        Views.TargetDetail t = (Views.TargetDetail) run("target/show", Map.of("iqn", IQN.toUpperCase()));
        assertThat(t.iqn()).isEqualTo(IQN);
        assertThat(t.chap()).isEqualTo("none");
        assertThat(t.luns()).extracting(Views.LunEntry::volume).containsExactly("v1", "v4", "v9");
        assertThat(t.portals()).hasSize(1);
        assertThat(refused(services, "target/show", Map.of("iqn", "iqn.2026-11.io.platter:nope")).kind())
                .isEqualTo(ManagementException.Kind.NOT_FOUND);
    }
}
