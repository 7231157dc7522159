package io.platter.lun.image;

/**
 * One snapshot as a driver reports it.
 *
 * @param id          the driver's identifier of the snapshot
 * @param name        the name it was taken under
 * @param dateSeconds when it was taken (seconds since the epoch)
 * @param diskSize    the device size when it was taken, -1 when the image does not record it
 */
public record SnapshotInfo(String id, String name, long dateSeconds, long diskSize) {
}
