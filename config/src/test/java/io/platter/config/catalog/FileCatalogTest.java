package io.platter.config.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.platter.config.ChapCredentials;
import io.platter.config.ImageFormat;
import io.platter.config.LunConfig;
import io.platter.config.PlatterConfig;
import io.platter.config.Provisioning;
import io.platter.config.TargetConfig;
import io.platter.config.VolumeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generations, pruning, a damaged newest generation, the epoch check and file modes of {@link FileCatalog}. */
class FileCatalogTest {

    private static final String IQN = "iqn.2026-12.io.platter:cat";
    private static final String SECRET = "catalog-secret-16";

    @TempDir
    Path data;

    private PlatterConfig objects(FileCatalog c, int luns) {
        List<LunConfig> list = new java.util.ArrayList<>();
        for (int i = 0; i < luns; i++) {
            list.add(new LunConfig(i, data.resolve("lun" + i + ".img"), 1 << 20, ImageFormat.RAW, Provisioning.THIN));
        }
        return c.empty().withTargets(List.of(new TargetConfig(IQN, "a", list)))
                .withVolumes(List.of(new VolumeConfig("v", data.resolve("v.qcow2"), ImageFormat.QCOW2,
                        Provisioning.THIN, false)));
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void anEmptyCatalogIsGenerationZeroAndCreatesNothing() throws Exception {
        FileCatalog c = FileCatalog.of(data);
        Catalog.Generation g = c.load();
        assertThat(g.number()).isZero();
        assertThat(g.objects().targets()).isEmpty();
        assertThat(c.exists()).isFalse();
        assertThat(data.resolve("catalog")).doesNotExist();
    }

    @Test
    void commitsReadBackEqualAndAreOwnerOnly() throws Exception {
        FileCatalog c = FileCatalog.of(data);
        PlatterConfig o = objects(c, 2).withDiscoveryChap(ChapCredentials.oneWay("disco", SECRET));
        Catalog.Generation g1 = c.commit(0, o);
        assertThat(g1.number()).isEqualTo(1);

        Catalog.Generation back = FileCatalog.of(data).load();
        assertThat(back.number()).isEqualTo(1);
        assertThat(back.objects()).isEqualTo(o);
        assertThat(mode(c.directory())).isEqualTo("rwx------");
        assertThat(mode(c.file(1))).isEqualTo("rw-------");
        assertThat(Files.readString(c.file(1))).as("images relative to the data dir").contains("image: lun0.img")
                .doesNotContain(data.toString()).doesNotContain("portals");
        try (Stream<Path> files = Files.list(c.directory())) {
            assertThat(files.filter(f -> !f.getFileName().toString().equals(FileCatalog.RESERVE)))
                    .as("no temporary file left").containsExactly(c.file(1));
        }
    }

    /** A written (not sparse) reserve beside the generations, given back when a commit finds the disk full. */
    @Test
    void aCommitLeavesAWrittenReserveThatIsNoGeneration() throws Exception {
        FileCatalog c = FileCatalog.of(data);
        c.commit(0, objects(c, 1));
        Path reserve = data.resolve("catalog").resolve(FileCatalog.RESERVE);
        assertThat(reserve).hasSize(FileCatalog.RESERVE_BYTES);
        assertThat(c.generations()).hasSize(1);
        assertThat(c.load().number()).isEqualTo(1);
    }

    @Test
    void theModeIs0600WhateverTheFileSystemWouldGive() throws Exception {
        // A group-writable directory with default ACLs or a lax umask must not widen the mode.
        FileCatalog c = FileCatalog.of(data);
        c.commit(0, objects(c, 1));
        Files.setPosixFilePermissions(c.directory(), PosixFilePermissions.fromString("rwxrwxrwx"));
        c.commit(1, objects(c, 2));
        assertThat(mode(c.file(2))).isEqualTo("rw-------");
    }

    @Test
    void aStaleWriterIsRefusedAndChangesNothing() throws Exception {
        FileCatalog c = FileCatalog.of(data);
        c.commit(0, objects(c, 1));
        c.commit(1, objects(c, 2));
        FileCatalog other = FileCatalog.of(data);

        assertThatThrownBy(() -> other.commit(1, objects(c, 3)))
                .isInstanceOf(Catalog.StaleGenerationException.class)
                .hasMessageContaining("based on generation 1 but the newest is 2");
        assertThat(c.load().number()).isEqualTo(2);
        assertThat(c.load().objects().targets().get(0).luns()).hasSize(2);
        assertThat(c.file(3)).doesNotExist();
    }

    @Test
    void theNewestTenGenerationsAreKept() throws Exception {
        FileCatalog c = FileCatalog.of(data);
        for (int i = 0; i < 25; i++) {
            c.commit(i, objects(c, 1 + i % 3));
        }
        List<Catalog.GenerationInfo> kept = c.generations();
        assertThat(kept).extracting(Catalog.GenerationInfo::number)
                .containsExactly(25L, 24L, 23L, 22L, 21L, 20L, 19L, 18L, 17L, 16L);
        assertThat(c.file(15)).doesNotExist();
    }

    @Test
    void aDamagedNewestGenerationIsSetAsideAndTheOlderOneUsed() throws Exception {
        FileCatalog c = FileCatalog.of(data);
        c.commit(0, objects(c, 1));
        c.commit(1, objects(c, 2));
        Files.writeString(c.file(2), "targets: [torn");   // a disk that lied about fsync

        Catalog.Generation g = FileCatalog.of(data).load();

        assertThat(g.number()).isEqualTo(1);
        assertThat(g.objects().targets().get(0).luns()).hasSize(1);
        assertThat(c.file(2)).doesNotExist();
        assertThat(c.directory().resolve("catalog-000002.yaml.damaged")).hasContent("targets: [torn");
        assertThat(c.generations()).extracting(Catalog.GenerationInfo::damaged).containsExactly(true, false);
        // The next commit follows the readable generation and does not reuse the damaged number.
        Catalog.Generation next = c.commit(1, objects(c, 3));
        assertThat(next.number()).isEqualTo(3);
        assertThat(FileCatalog.of(data).load().number()).isEqualTo(3);
    }

    @Test
    void aClearedSecretLeavesNoOlderGenerationHoldingIt() throws Exception {
        FileCatalog c = FileCatalog.of(data);
        c.commit(0, objects(c, 1));
        c.commit(1, objects(c, 1).withDiscoveryChap(ChapCredentials.oneWay("disco", SECRET)));
        c.commit(2, objects(c, 2).withDiscoveryChap(ChapCredentials.oneWay("disco", SECRET)));
        c.commit(3, objects(c, 2));

        try (Stream<Path> files = Files.list(c.directory())) {
            assertThat(files.filter(f -> {
                try {
                    return Files.readString(f).contains(SECRET);
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            })).isEmpty();
        }
        assertThat(c.generations()).extracting(Catalog.GenerationInfo::number).containsExactly(4L, 1L);
    }
}
