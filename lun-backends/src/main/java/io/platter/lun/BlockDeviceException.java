package io.platter.lun;

import java.io.IOException;

/**
 * A storage failure, in storage words only. The SCSI layer maps each subtype to sense data
 * in one place.
 */
public class BlockDeviceException extends IOException {

    public BlockDeviceException(String message) {
        super(message);
    }

    public BlockDeviceException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The range lies (partly) outside the device. */
    public static final class OutOfRange extends BlockDeviceException {
        public OutOfRange(long offset, long length, long size) {
            super("range " + offset + "+" + length + " outside device of " + size + " bytes");
        }
    }

    /** No space could be allocated for a write (thin device on a full file system). */
    public static final class NoSpace extends BlockDeviceException {
        public NoSpace(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The medium failed to read or write (an I/O error from the file system). */
    public static final class MediumError extends BlockDeviceException {
        public MediumError(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The device is read-only. */
    public static final class ReadOnly extends BlockDeviceException {
        public ReadOnly(String message) {
            super(message);
        }
    }
}
