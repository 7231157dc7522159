package io.platter.lun.image;

import io.platter.lun.BlockDevice;
import io.platter.lun.BlockDeviceException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * The optional snapshot-and-layering capability of an image: snapshots taken inside the image,
 * and the backing (parent) image a clone reads what it has not written from. A caller asks
 * {@link ImageDrivers#snapshots} for it instead of casting a device to an implementation class.
 * A view of an open device: valid while that device is open; it never owns the device.
 *
 * <p>Thread-safety: as the device's own (the qcow2 image takes its write lock for each call).
 */
public interface ImageSnapshots {

    /** The device this is a view of. */
    BlockDevice device();

    /** The driver that made this view (group snapshots need every member from one driver). */
    ImageType type();

    /** The device size now. */
    default long size() {
        return device().size();
    }

    /** The snapshots, oldest first. */
    List<SnapshotInfo> snapshots();

    /** Takes a snapshot of the current contents, crash-consistent with acknowledged writes. */
    SnapshotInfo createSnapshot(String name) throws BlockDeviceException;

    /** Makes the device's contents (and size) those of the snapshot. */
    void revertSnapshot(String idOrName) throws BlockDeviceException;

    void deleteSnapshot(String idOrName) throws BlockDeviceException;

    /**
     * Writes the snapshot's contents into a new image at {@code path}, over this image's own
     * backing file (a template clones can be made from). Path-based: the one locator every driver
     * has today; a network backend will need its own locator here.
     */
    void materialiseSnapshot(String idOrName, Path path, LongConsumer progress) throws IOException;

    /** The backing file name as the image records it, or null. */
    String backingFile();

    /** Copies everything still read from the backing chain into this image, then drops the reference. */
    void flatten(LongConsumer progress) throws BlockDeviceException;
}
