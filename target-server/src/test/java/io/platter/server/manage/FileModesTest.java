package io.platter.server.manage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.platter.config.ImageFormat;
import io.platter.config.LunConfig;
import io.platter.config.PlatterConfig;
import io.platter.config.Portal;
import io.platter.config.Provisioning;
import io.platter.config.ServerSettings;
import io.platter.config.TargetConfig;
import io.platter.server.Daemon;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outside the packaged unit (no UMask= of systemd) the daemon creates its data directory 0700 and
 * images and their identity files 0600, whatever the umask (issue 21 finding 6: under the usual
 * 022, which the build runs with, they were drwxr-xr-x and -rw-r--r--).
 */
class FileModesTest {

    private static final String IQN = "iqn.2026-12.io.platter:modes";

    @TempDir
    Path dir;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aNewDataDirectoryAndTheFilesInItAreTheDaemonsOnly() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            port = s.getLocalPort();
        }
        Path data = dir.resolve("fresh").resolve("data");
        PlatterConfig config = new PlatterConfig(PlatterConfig.CURRENT_VERSION,
                new ServerSettings(List.of(new Portal("127.0.0.1", port)), data, 1),
                List.of(new TargetConfig(IQN, null, List.of(
                        new LunConfig(0, data.resolve("lun0.img"), 1 << 20, ImageFormat.RAW, Provisioning.THIN),
                        new LunConfig(1, data.resolve("lun1.qcow2"), 1 << 20, ImageFormat.QCOW2,
                                Provisioning.THIN)))));
        try (Daemon daemon = Daemon.start(config)) {
            Services services = Services.of(daemon, TestCatalogs.inCatalog(config), "test");
            ObjectMapper json = new ObjectMapper();
            Operation.find("volume/create").run(services, new Args(json.valueToTree(Map.of(
                    "name", "thick", "size", "1M", "format", "raw", "provisioning", "thick",
                    "target", IQN, "lun", 2))));
            assertThat(mode(data)).isEqualTo("rwx------");
            try (var files = Files.list(data)) {
                List<Path> all = files.filter(p -> !Files.isDirectory(p)).toList();
                assertThat(mode(data.resolve("catalog"))).isEqualTo("rwx------");
                assertThat(all).extracting(p -> p.getFileName().toString())
                        .contains("lun0.img", "lun0.img.id", "lun1.qcow2", "lun1.qcow2.id");
                assertThat(all.stream().filter(p -> p.getFileName().toString().startsWith("thick"))).isNotEmpty();
                for (Path p : all) {
                    assertThat(mode(p)).as(p.getFileName().toString()).isEqualTo("rw-------");
                }
            }
        }
    }
}
