package io.platter.scsi.task;

import io.platter.scsi.sense.StorageErrors;

/**
 * How a command touches the medium: a column of the opcode table and the access of a {@link Plan}.
 * The task's executor derives every medium rule from it: every access but NONE needs the medium
 * present, so an offline unit answers NOT READY (SPC-5 §4.4.5; {@link OfflineDevice}); WRITE is
 * refused while the unit is write protected (SBC-4 §4.11) and runs under the {@link MediumFence};
 * READ shares and WRITE holds its range of the unit's {@link RangeLocks} (SBC-4 §4.28).
 */
public enum MediumAccess {
    /**
     * The command needs no medium: it reads or changes no block of it (INQUIRY, MODE SENSE, LOG
     * SENSE, the reservation commands), so an offline unit answers it too, reporting an empty
     * medium where it reports one at all. EXTENDED COPY is one: each unit it copies from or to is
     * checked as its steps run.
     */
    NONE(StorageErrors.Access.READ),
    /**
     * The command reads the medium's state (readiness, capacity, allocation) or flushes it, but no
     * block: TEST UNIT READY, READ CAPACITY, GET LBA STATUS, SYNCHRONIZE CACHE. A column value only:
     * a plan of such a row is a NONE plan.
     */
    STATE(StorageErrors.Access.READ),
    READ(StorageErrors.Access.READ),
    WRITE(StorageErrors.Access.WRITE);

    private final StorageErrors.Access errors;

    MediumAccess(StorageErrors.Access errors) {
        this.errors = errors;
    }

    /** How a storage failure of this access is reported. */
    public StorageErrors.Access errors() {
        return errors;
    }

    /** Whether the command needs the medium present (an offline unit answers NOT READY). */
    public boolean needsMedium() {
        return this != NONE;
    }

    /** Whether a plan of this access is allowed for a row whose column says {@code column}. */
    boolean within(MediumAccess column) {
        return ordinal() <= column.ordinal();
    }
}
