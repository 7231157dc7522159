package io.platter.scsi.sense;

import io.platter.lun.BlockDeviceException;

/**
 * The one mapping from storage failures ({@link BlockDeviceException} subtypes, which carry no
 * SCSI words) to sense (SBC-4 §4.14 medium errors, §4.7.3.6 thin provisioning out of space).
 */
public final class StorageErrors {

    /**
     * What the failed command was doing to the medium; picks the medium error's ASC. A failed
     * flush is a WRITE: the data that did not reach the medium was written.
     */
    public enum Access { READ, WRITE }

    private StorageErrors() {
    }

    public static CheckConditionException toCheckCondition(BlockDeviceException e, Access access) {
        return new CheckConditionException(sense(e, access));
    }

    public static Sense sense(BlockDeviceException e, Access access) {
        if (e instanceof BlockDeviceException.OutOfRange) {
            return Sense.LBA_OUT_OF_RANGE;
        }
        if (e instanceof BlockDeviceException.NoSpace) {
            return Sense.SPACE_ALLOCATION_FAILED_WRITE_PROTECT;
        }
        if (e instanceof BlockDeviceException.ReadOnly) {
            return Sense.WRITE_PROTECTED;
        }
        if (e instanceof BlockDeviceException.MediumError) {
            return switch (access) {
                case READ -> Sense.UNRECOVERED_READ_ERROR;
                case WRITE -> Sense.WRITE_ERROR;
            };
        }
        return Sense.INTERNAL_TARGET_FAILURE;
    }
}
