package io.platter.lun.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.platter.lun.BlockDevice;
import io.platter.lun.qcow2.BackingPolicy;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The driver table: every type has a driver that makes, opens and recognises its own images. */
class ImageDriversTest {

    private static final long SIZE = 1 << 20;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(ImageType.class)
    void everyTypeCreatesOpensAndProbesItsOwnImages(ImageType type) throws Exception {
        ImageDriver driver = ImageDrivers.driver(type);
        assertThat(driver.type()).isEqualTo(type);
        Path file = dir.resolve("image");
        try (BlockDevice d = driver.create(file, CreateOptions.ofSize(SIZE))) {
            assertThat(d.size()).isEqualTo(SIZE);
            assertThat(d.thin()).isEqualTo(type != ImageType.RAW_THICK);
            ByteBuf data = Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4});
            d.write(4096, data, true);
        }
        assertThat(driver.probe(file)).as("%s recognises its own image", type).isTrue();
        // Any file is raw, so only the qcow2 probe tells formats apart: by its magic.
        assertThat(ImageDrivers.driver(ImageType.QCOW2).probe(file)).isEqualTo(type == ImageType.QCOW2);
        try (BlockDevice d = driver.open(file, true, BackingPolicy.ANY)) {
            ByteBuf back = Unpooled.buffer(4);
            d.read(4096, 4, back);
            assertThat(back.array()).startsWith(1, 2, 3, 4);
            assertThat(d.readOnly()).isTrue();
        }
        assertThatThrownBy(() -> driver.create(file, CreateOptions.ofSize(SIZE)))
                .isInstanceOf(FileAlreadyExistsException.class);
    }

    @Test
    void rawProbeTellsThickFromThin() throws Exception {
        Path thick = dir.resolve("thick.img");
        Path thin = dir.resolve("thin.img");
        ImageDrivers.driver(ImageType.RAW_THICK).create(thick, CreateOptions.ofSize(SIZE)).close();
        ImageDrivers.driver(ImageType.RAW_THIN).create(thin, CreateOptions.ofSize(SIZE)).close();
        assertThat(ImageDrivers.driver(ImageType.RAW_THICK).probe(thick)).isTrue();
        assertThat(ImageDrivers.driver(ImageType.RAW_THIN).probe(thick)).isFalse();
        assertThat(ImageDrivers.driver(ImageType.RAW_THICK).probe(thin)).isFalse();
        assertThat(ImageDrivers.driver(ImageType.RAW_THIN).probe(thin)).isTrue();
    }

    @Test
    void onlyQcow2OffersSnapshots() throws Exception {
        for (ImageType type : ImageType.values()) {
            ImageDriver driver = ImageDrivers.driver(type);
            try (BlockDevice d = driver.create(dir.resolve(type.name()), CreateOptions.ofSize(SIZE))) {
                assertThat(ImageDrivers.snapshots(d).isPresent()).as(type.name()).isEqualTo(type == ImageType.QCOW2);
                assertThat(driver.hasSnapshots()).isEqualTo(type == ImageType.QCOW2);
            }
        }
    }

    @Test
    void snapshotCapabilityTakesRevertsAndGroups() throws Exception {
        ImageDriver qcow2 = ImageDrivers.driver(ImageType.QCOW2);
        try (BlockDevice a = qcow2.create(dir.resolve("a.qcow2"), CreateOptions.ofSize(SIZE));
             BlockDevice b = qcow2.create(dir.resolve("b.qcow2"), CreateOptions.ofSize(SIZE))) {
            ImageSnapshots sa = ImageDrivers.snapshots(a).orElseThrow();
            ImageSnapshots sb = ImageDrivers.snapshots(b).orElseThrow();
            a.write(0, Unpooled.wrappedBuffer(new byte[] {9}), true);
            SnapshotInfo s = sa.createSnapshot("one");
            assertThat(s.name()).isEqualTo("one");
            assertThat(s.diskSize()).isEqualTo(SIZE);
            a.write(0, Unpooled.wrappedBuffer(new byte[] {7}), true);
            sa.revertSnapshot("one");
            ByteBuf back = Unpooled.buffer(1);
            a.read(0, 1, back);
            assertThat(back.getByte(0)).isEqualTo((byte) 9);
            ImageDrivers.createSnapshotGroup(List.of(sa, sb), "both");
            assertThat(sa.snapshots()).extracting(SnapshotInfo::name).containsExactly("one", "both");
            assertThat(sb.snapshots()).extracting(SnapshotInfo::name).containsExactly("both");
            sa.deleteSnapshot("one");
            assertThat(sa.snapshots()).extracting(SnapshotInfo::name).containsExactly("both");
        }
    }

    @Test
    void aCloneRecordsItsBackingThroughTheOptions() throws Exception {
        Path base = dir.resolve("base.img");
        ImageDrivers.driver(ImageType.RAW_THIN).create(base, CreateOptions.ofSize(SIZE)).close();
        Path clone = dir.resolve("clone.qcow2");
        try (BlockDevice c = ImageDrivers.driver(ImageType.QCOW2).create(clone,
                CreateOptions.ofSize(SIZE).withClusterBits(16).withBacking("base.img", ImageType.RAW_THIN))) {
            assertThat(ImageDrivers.snapshots(c).orElseThrow().backingFile()).isEqualTo("base.img");
        }
    }

    @Test
    void rawRefusesABackingFileAndLeavesNothing() {
        Path file = dir.resolve("raw.img");
        assertThatThrownBy(() -> ImageDrivers.driver(ImageType.RAW_THIN).create(file,
                CreateOptions.ofSize(SIZE).withBacking("base.img", ImageType.RAW_THIN)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Files.exists(file)).isFalse();
    }

    @Test
    void optionsRefuseABadSizeOrAHalfBacking() {
        assertThatThrownBy(() -> CreateOptions.ofSize(1000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CreateOptions.ofSize(SIZE).withBacking("x", null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
