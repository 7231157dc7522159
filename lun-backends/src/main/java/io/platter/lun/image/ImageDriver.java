package io.platter.lun.image;

import io.platter.lun.BlockDevice;
import io.platter.lun.qcow2.BackingPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Makes, opens and recognises one {@link ImageType} of image. Implementations are stateless
 * and live in {@link ImageDrivers}.
 *
 * <p>Locator: a host {@link Path} for now, because every driver today keeps its image in a host
 * file. A network block backend (Ceph RBD: pool/image) will need a locator of its own; that is
 * the one change this interface expects, and it is why nothing here exposes a file channel.
 */
public interface ImageDriver {

    ImageType type();

    /**
     * Creates a new image and opens it read-write. Fails without touching anything if the image
     * exists; on a later failure the half-made image is removed.
     *
     * @throws java.nio.file.FileAlreadyExistsException if it exists
     * @throws io.platter.lun.BlockDeviceException.NoSpace if a fully allocated image does not fit
     */
    BlockDevice create(Path image, CreateOptions options) throws IOException;

    /**
     * Opens an existing image. A backing chain is opened read-only and only where {@code backing}
     * allows (drivers without backing images ignore it).
     */
    BlockDevice open(Path image, boolean readOnly, BackingPolicy backing) throws IOException;

    /**
     * Whether the image looks like one of this driver's: qcow2 by its magic; raw thick by being
     * fully allocated, raw thin by not being so (any file of at least one block is raw, so a raw
     * probe is a statement about provisioning, never a format guess).
     */
    boolean probe(Path image) throws IOException;

    /** Whether devices of this driver offer {@link ImageSnapshots}. */
    default boolean hasSnapshots() {
        return false;
    }

    /** The snapshot capability of {@code device} when this driver made it and offers one. */
    default Optional<ImageSnapshots> snapshots(BlockDevice device) {
        return Optional.empty();
    }

    /**
     * Takes snapshot {@code name} of every member at one crash-consistent instant; if one fails,
     * those already taken are deleted. Members come from {@link #snapshots} of this driver.
     *
     * @throws UnsupportedOperationException when the driver has no snapshots
     */
    default void createSnapshotGroup(List<ImageSnapshots> members, String name) throws IOException {
        throw new UnsupportedOperationException(type() + " images have no snapshots");
    }
}
