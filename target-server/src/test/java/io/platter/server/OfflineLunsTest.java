package io.platter.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.config.ImageFormat;
import io.platter.config.LunConfig;
import io.platter.config.PlatterConfig;
import io.platter.config.Portal;
import io.platter.config.Provisioning;
import io.platter.config.ServerSettings;
import io.platter.config.TargetConfig;
import io.platter.lun.ImageIdentity;
import io.platter.scsi.LogicalUnit;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's side of offline LUNs: an image that cannot be opened maps an offline unit instead of
 * failing the start; {@link Daemon#retryOffline} brings it online in place with the identity it
 * showed (persisted then, never before), keeps it offline with the newer reason, or maps it anew
 * when the image brings another identity along.
 */
class OfflineLunsTest {

    private static final String IQN = "iqn.2026-12.io.platter:offline-test";

    @TempDir
    Path dir;
    private Daemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private Path data() {
        return dir.resolve("data");
    }

    /** A daemon with LUN 0 (raw, 1 MiB, created) and LUN 1 over {@code missing.img}, which does not exist and has no size. */
    private Daemon start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            port = s.getLocalPort();
        }
        PlatterConfig config = new PlatterConfig(PlatterConfig.CURRENT_VERSION,
                new ServerSettings(List.of(new Portal("127.0.0.1", port)), data(), 1),
                List.of(new TargetConfig(IQN, null, List.of(
                        new LunConfig(0, data().resolve("good.img"), 1 << 20, ImageFormat.RAW, Provisioning.THIN),
                        new LunConfig(1, missing(), 0, ImageFormat.RAW, Provisioning.THIN)))));
        daemon = Daemon.start(config);
        return daemon;
    }

    private Path missing() {
        return data().resolve("missing.img");
    }

    private Daemon.MappedLun lun(int id) {
        return daemon.mappedLuns().stream().filter(m -> m.lun() == id).findFirst().orElseThrow();
    }

    @Test
    void theDaemonStartsWithTheLunOfflineAndCreatesNoIdentityForAMissingFile() throws Exception {
        start();
        assertThat(lun(0).offline()).isFalse();
        assertThat(lun(1).offline()).isTrue();
        assertThat(lun(1).offlineReason()).isEqualTo("cannot open " + missing() + ": image " + missing()
                + " does not exist and LUN 1 has no size");
        assertThat(ImageIdentity.sidecar(missing())).doesNotExist();
        assertThat(missing()).doesNotExist();
    }

    /**
     * A sized LUN whose image was served before (its .id is there) and has gone missing is offline,
     * never silently re-created empty under the old identity; once the file is back, reload serves it.
     */
    @Test
    void aServedImageThatWentMissingIsOfflineAndNotRecreatedEmpty() throws Exception {
        start();
        Path good = data().resolve("good.img");
        UUID before = ImageIdentity.find(good).orElseThrow();
        daemon.close();
        daemon = null;
        Path moved = dir.resolve("moved.img");
        Files.move(good, moved);

        start();
        assertThat(lun(0).offline()).as("a lost file is not a new empty disk").isTrue();
        assertThat(lun(0).offlineReason()).contains("is missing").contains("good.img.id");
        assertThat(good).doesNotExist();

        Files.move(moved, good);
        assertThat(daemon.retryOffline()).extracting(Daemon.MappedLun::lun).contains(0);
        assertThat(lun(0).offline()).isFalse();
        assertThat(ImageIdentity.find(good)).contains(before);
    }

    @Test
    void aRetryThatStillFailsKeepsTheUnitOfflineWithTheNewReason() throws Exception {
        start();
        LogicalUnit unit = lun(1).unit();
        Files.createDirectories(missing());   // a directory where the image should be
        assertThat(daemon.retryOffline()).isEmpty();
        assertThat(lun(1).unit()).isSameAs(unit);
        assertThat(unit.offline()).isTrue();
        assertThat(unit.offlineReason()).startsWith("cannot open " + missing() + ": ").doesNotContain("has no size");
    }

    @Test
    void theImageComingBackGetsTheIdentityTheLunShowedAndTheSameUnit() throws Exception {
        start();
        LogicalUnit unit = lun(1).unit();
        UUID shown = unit.identity().uuid();
        Files.write(missing(), new byte[1 << 20]);

        List<Daemon.MappedLun> back = daemon.retryOffline();

        assertThat(back).hasSize(1);
        assertThat(back.get(0).unit()).isSameAs(unit);
        assertThat(lun(1).unit()).isSameAs(unit);
        assertThat(unit.offline()).isFalse();
        assertThat(lun(1).device().size()).isEqualTo(1 << 20);
        assertThat(ImageIdentity.find(missing())).contains(shown);
        assertThat(daemon.retryOffline()).as("nothing left to retry").isEmpty();
    }

    @Test
    void anImageWithAnotherIdentityIsMappedAnew() throws Exception {
        start();
        LogicalUnit unit = lun(1).unit();
        UUID restored = UUID.fromString("0c8a7e52-3f1d-4b6e-9a2c-5d4e3f2a1b0c");
        Files.write(missing(), new byte[1 << 20]);
        Files.writeString(ImageIdentity.sidecar(missing()), "uuid=" + restored + "\n");

        List<Daemon.MappedLun> back = daemon.retryOffline();

        assertThat(back).hasSize(1);
        assertThat(back.get(0).unit()).isNotSameAs(unit);
        assertThat(lun(1).unit().identity().uuid()).isEqualTo(restored);
        assertThat(lun(1).offline()).isFalse();
    }

    @Test
    void anOfflineLunShowsTheIdentityPersistedBesideItsImage() throws Exception {
        UUID saved = UUID.fromString("5b2f9c1e-7a3d-4e8b-b6c5-1d2e3f4a5b6c");
        Files.createDirectories(data());
        Files.writeString(ImageIdentity.sidecar(missing()), "uuid=" + saved + "\n");
        start();
        assertThat(lun(1).offline()).isTrue();
        assertThat(lun(1).unit().identity().uuid()).isEqualTo(saved);
    }

    @Test
    void unmappingAnOfflineLunForgetsIt() throws Exception {
        start();
        assertThat(daemon.unmapLun(IQN, 1)).isTrue();
        Files.write(missing(), new byte[1 << 20]);
        assertThat(daemon.retryOffline()).isEmpty();
        assertThat(daemon.mappedLuns()).extracting(Daemon.MappedLun::lun).containsExactly(0);
    }
}
