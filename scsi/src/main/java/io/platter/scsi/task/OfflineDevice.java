package io.platter.scsi.task;

import io.netty.buffer.ByteBuf;
import io.platter.lun.BlockDevice;
import io.platter.lun.BlockDeviceException;
import java.util.Objects;

/**
 * The medium of an offline logical unit: its image could not be opened (missing, damaged, locked,
 * not permitted). The unit is mapped all the same and answers like a disk that needs an operator
 * (SPC-5 §4.4.5): every command whose medium-access column is not NONE ends in NOT READY, LOGICAL
 * UNIT NOT READY, MANUAL INTERVENTION REQUIRED ({@link Admission}), so none of the block methods
 * below is reached through a command; they fail if anything calls them. Commands that need no
 * medium (INQUIRY, MODE SENSE, persistent reservations) see a device of size 0 that allocates
 * nothing. {@link io.platter.scsi.LogicalUnit#bringOnline} swaps in the real device.
 *
 * @param reason why the image cannot be opened, for the operator (no secrets, no SCSI words)
 */
public record OfflineDevice(String reason) implements BlockDevice {

    public OfflineDevice {
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public long size() {
        return 0;
    }

    @Override
    public boolean thin() {
        return false;
    }

    @Override
    public long allocatedBytes() {
        return 0;
    }

    @Override
    public void read(long offset, int length, ByteBuf dst) throws BlockDeviceException {
        throw offline();
    }

    @Override
    public void write(long offset, ByteBuf src, boolean durable) throws BlockDeviceException {
        throw offline();
    }

    /** Nothing was written, so nothing to make durable (the daemon flushes every unit when it stops). */
    @Override
    public void flush() {
    }

    @Override
    public void discard(long offset, long length) throws BlockDeviceException {
        throw offline();
    }

    @Override
    public Extent extentAt(long offset) throws BlockDeviceException {
        throw offline();
    }

    @Override
    public void resize(long newSize) throws BlockDeviceException {
        throw offline();
    }

    /** Holds no file. */
    @Override
    public void close() {
    }

    private BlockDeviceException offline() {
        return new BlockDeviceException("the LUN is offline: " + reason);
    }

    @Override
    public String toString() {
        return "offline (" + reason + ")";
    }
}
