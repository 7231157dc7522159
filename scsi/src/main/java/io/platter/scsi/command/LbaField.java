package io.platter.scsi.command;

import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.task.UnitContext;

/**
 * Where the LOGICAL BLOCK ADDRESS and the TRANSFER (or NUMBER OF BLOCKS / VERIFICATION) LENGTH
 * sit in the 6-, 10-, 12- and 16-byte CDBs of SBC-4 (§5.15-§5.17 READ, §5.31-§5.34 WRITE,
 * §5.27 SYNCHRONIZE CACHE, §5.28 VERIFY).
 */
public enum LbaField {
    /** READ(6)/WRITE(6): a 21-bit LBA in bytes 1-3 and a one-byte length where 0 means 256. */
    SIX(1, 4) {
        @Override
        public long lba(byte[] cdb) {
            return Cdb.u24(cdb, 1) & 0x1F_FFFF;
        }

        @Override
        public long length(byte[] cdb) {
            int n = Cdb.u8(cdb, 4);
            return n == 0 ? 256 : n;
        }
    },
    TEN(2, 7) {
        @Override
        public long lba(byte[] cdb) {
            return Cdb.u32(cdb, 2);
        }

        @Override
        public long length(byte[] cdb) {
            return Cdb.u16(cdb, 7);
        }
    },
    TWELVE(2, 6) {
        @Override
        public long lba(byte[] cdb) {
            return Cdb.u32(cdb, 2);
        }

        @Override
        public long length(byte[] cdb) {
            return Cdb.u32(cdb, 6);
        }
    },
    SIXTEEN(2, 10) {
        @Override
        public long lba(byte[] cdb) {
            return Cdb.u64(cdb, 2);
        }

        @Override
        public long length(byte[] cdb) {
            return Cdb.u32(cdb, 10);
        }
    };

    private final int lbaOffset;
    private final int lengthOffset;

    LbaField(int lbaOffset, int lengthOffset) {
        this.lbaOffset = lbaOffset;
        this.lengthOffset = lengthOffset;
    }

    /** The LBA; a 64-bit LBA past {@link Long#MAX_VALUE} comes back negative. */
    public abstract long lba(byte[] cdb);

    /** The length in blocks. */
    public abstract long length(byte[] cdb);

    /**
     * The transfer length, refused as INVALID FIELD IN CDB (pointing at the length field) when it
     * exceeds MAXIMUM TRANSFER LENGTH of the Block Limits page (SBC-4 §6.6.4).
     */
    public long transferLength(byte[] cdb) throws io.platter.scsi.sense.CheckConditionException {
        long blocks = length(cdb);
        if (blocks > io.platter.scsi.vpd.BlockLimits.MAX_TRANSFER_BLOCKS) {
            throw io.platter.scsi.sense.CheckConditionException.invalidCdbField(lengthOffset());
        }
        return blocks;
    }

    public int lbaOffset() {
        return lbaOffset;
    }

    public int lengthOffset() {
        return lengthOffset;
    }

    /** LOGICAL BLOCK ADDRESS OUT OF RANGE unless lba..lba+blocks lies within the medium. */
    public static void checkRange(UnitContext unit, long lba, long blocks) throws CheckConditionException {
        long capacity = unit.blockCount();
        if (lba < 0 || lba > capacity || blocks > capacity - lba) {
            throw new CheckConditionException(Sense.LBA_OUT_OF_RANGE);
        }
    }
}
