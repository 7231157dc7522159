package io.platter.lun.image;

import io.platter.lun.BlockDevice;
import io.platter.lun.BlockDeviceException;
import io.platter.lun.qcow2.BackingPolicy;
import io.platter.lun.qcow2.Header;
import io.platter.lun.qcow2.Qcow2Image;
import io.platter.lun.qcow2.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/** qcow2 images ({@link Qcow2Image}), with internal snapshots and backing files. */
final class Qcow2Driver implements ImageDriver {

    /** 64 KiB clusters, qemu-img's default. */
    private static final int DEFAULT_CLUSTER_BITS = 16;

    @Override
    public ImageType type() {
        return ImageType.QCOW2;
    }

    @Override
    public BlockDevice create(Path image, CreateOptions options) throws IOException {
        int bits = options.clusterBits() == 0 ? DEFAULT_CLUSTER_BITS : options.clusterBits();
        String backingFormat = options.backingType() == null ? null : options.backingType().formatName();
        return Qcow2Image.create(image, options.sizeBytes(), bits, options.backingFile(), backingFormat);
    }

    @Override
    public BlockDevice open(Path image, boolean readOnly, BackingPolicy backing) throws IOException {
        return Qcow2Image.open(image, readOnly, backing);
    }

    /** {@inheritDoc} The first four bytes are the magic {@code QFI\xfb} (qcow2.txt "magic"). */
    @Override
    public boolean probe(Path image) throws IOException {
        try (InputStream in = Files.newInputStream(image)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && ByteBuffer.wrap(magic).getInt() == Header.MAGIC;
        }
    }

    @Override
    public boolean hasSnapshots() {
        return true;
    }

    @Override
    public Optional<ImageSnapshots> snapshots(BlockDevice device) {
        return device instanceof Qcow2Image q ? Optional.of(new View(q)) : Optional.empty();
    }

    @Override
    public void createSnapshotGroup(List<ImageSnapshots> members, String name) throws IOException {
        List<Qcow2Image> images = new ArrayList<>(members.size());
        for (ImageSnapshots m : members) {
            if (!(m instanceof View v)) {
                throw new IllegalArgumentException(m.device() + " is not a qcow2 image");
            }
            images.add(v.image);
        }
        Qcow2Image.createSnapshots(images, name);
    }

    private static SnapshotInfo info(Snapshot s) {
        return new SnapshotInfo(s.id(), s.name(), s.dateSeconds(), s.diskSize());
    }

    /** The capability view of one open qcow2 image. */
    private record View(Qcow2Image image) implements ImageSnapshots {

        @Override
        public BlockDevice device() {
            return image;
        }

        @Override
        public ImageType type() {
            return ImageType.QCOW2;
        }

        @Override
        public List<SnapshotInfo> snapshots() {
            return image.snapshots().stream().map(Qcow2Driver::info).toList();
        }

        @Override
        public SnapshotInfo createSnapshot(String name) throws BlockDeviceException {
            return info(image.createSnapshot(name));
        }

        @Override
        public void revertSnapshot(String idOrName) throws BlockDeviceException {
            image.revertSnapshot(idOrName);
        }

        @Override
        public void deleteSnapshot(String idOrName) throws BlockDeviceException {
            image.deleteSnapshot(idOrName);
        }

        @Override
        public void materialiseSnapshot(String idOrName, Path path, LongConsumer progress) throws IOException {
            image.materialiseSnapshot(idOrName, path, progress);
        }

        @Override
        public String backingFile() {
            return image.backingFile();
        }

        @Override
        public void flatten(LongConsumer progress) throws BlockDeviceException {
            image.flatten(progress);
        }
    }
}
