package io.platter.scsi.sbc;

import io.netty.buffer.ByteBuf;
import io.platter.lun.BlockDevice;
import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.sense.StorageErrors;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;
import io.platter.scsi.task.UnitContext;
import java.util.EnumSet;
import java.util.List;

/**
 * GET LBA STATUS (SBC-4 §5.8, SERVICE ACTION IN(16) 9Eh/12h): LBA status descriptors from the
 * STARTING LOGICAL BLOCK ADDRESS on, one per run of blocks with one provisioning status, read
 * from {@link BlockDevice#extentAt} on the I/O executor. As many descriptors as the allocation
 * length holds are built (at least one, at most {@link #MAX_DESCRIPTORS}); the data is then
 * truncated to the allocation length. A run starting inside a block counts that block as its own.
 * The REPORT TYPE field (byte 14, added in SBC-4 r12) selects which runs are described; the RTP bit
 * of the header says that it was honoured.
 */
final class GetLbaStatus implements CommandHandler {

    /** PROVISIONING STATUS values (SBC-4 §5.8.3); anchored (2) never occurs, as ANC_SUP=0. */
    enum ProvisioningStatus {
        MAPPED(0), DEALLOCATED(1), ANCHORED(2);

        private final int wire;

        ProvisioningStatus(int wire) {
            this.wire = wire;
        }

        int wire() {
            return wire;
        }
    }

    /**
     * REPORT TYPE values (SBC-4 §5.8.2), each with the provisioning statuses it describes. This
     * target never reports anchored blocks nor blocks that may return unrecovered errors, so those
     * two types are accepted and describe nothing.
     */
    enum ReportType {
        ALL(0x00, ProvisioningStatus.MAPPED, ProvisioningStatus.DEALLOCATED, ProvisioningStatus.ANCHORED),
        NONZERO_STATUS(0x01, ProvisioningStatus.DEALLOCATED, ProvisioningStatus.ANCHORED),
        MAPPED(0x02, ProvisioningStatus.MAPPED),
        DEALLOCATED(0x03, ProvisioningStatus.DEALLOCATED),
        ANCHORED(0x04, ProvisioningStatus.ANCHORED),
        UNRECOVERED_ERRORS(0x10);

        private static final ReportType[] BY_WIRE = new ReportType[256];

        static {
            for (ReportType t : values()) {
                if (BY_WIRE[t.wire] != null) {
                    throw new IllegalStateException("duplicate REPORT TYPE " + t.wire);
                }
                BY_WIRE[t.wire] = t;
            }
        }

        private final int wire;
        private final EnumSet<ProvisioningStatus> describes;

        ReportType(int wire, ProvisioningStatus... describes) {
            this.wire = wire;
            this.describes = describes.length == 0
                    ? EnumSet.noneOf(ProvisioningStatus.class)
                    : EnumSet.copyOf(List.of(describes));
        }

        /** The type with this wire value, or {@code null} for a reserved value. */
        static ReportType of(int wire) {
            return BY_WIRE[wire & 0xFF];
        }

        boolean describes(ProvisioningStatus status) {
            return describes.contains(status);
        }
    }

    static final int MAX_DESCRIPTORS = 128;
    /** Extents looked at per command when a REPORT TYPE skips runs: bounds the time on the I/O executor. */
    static final int MAX_EXTENTS_SCANNED = 4096;
    private static final int REPORT_TYPE = 14;
    private static final int RTP = 0x01;
    private static final int STARTING_LBA = 2;
    private static final int ALLOCATION_LENGTH = 10;
    private static final int HEADER = 8;
    private static final int DESCRIPTOR = 16;
    private static final long MAX_DESCRIPTOR_BLOCKS = 0xFFFF_FFFFL;

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        UnitContext unit = task.unit();
        long start = Cdb.u64(cdb, STARTING_LBA);
        long allocationLength = Cdb.u32(cdb, ALLOCATION_LENGTH);
        ReportType type = ReportType.of(Cdb.u8(cdb, REPORT_TYPE));
        if (type == null) {
            throw CheckConditionException.invalidCdbField(REPORT_TYPE);
        }
        if (start < 0 || start >= unit.blockCount()) {
            throw new CheckConditionException(Sense.LBA_OUT_OF_RANGE);
        }
        if (allocationLength == 0) {
            return Plan.GOOD;
        }
        int wanted = (int) Math.max(1, Math.min(MAX_DESCRIPTORS, (allocationLength - HEADER) / DESCRIPTOR));
        return Plan.control(-1, StorageErrors.Access.READ, null, () -> {
            ByteBuf data = unit.alloc().buffer(HEADER + wanted * DESCRIPTOR);
            try {
                describe(unit, start, type, wanted, data);
                data.writerIndex((int) Math.min(data.writerIndex(), allocationLength));
                return data;
            } catch (Throwable t) {
                data.release();
                throw t;
            }
        });
    }

    /** Appends the parameter data (header and up to {@code wanted} descriptors) to {@code out}. */
    private static void describe(UnitContext unit, long start, ReportType type, int wanted, ByteBuf out)
            throws io.platter.lun.BlockDeviceException {
        int headerAt = out.writerIndex();
        out.writeZero(HEADER);
        int blockSize = unit.blockSize();
        long capacity = unit.blockCount();
        long lba = start;
        int count = 0;
        int scanned = 0;
        while (count < wanted && lba < capacity && scanned++ < MAX_EXTENTS_SCANNED) {
            BlockDevice.Extent extent = unit.device().extentAt(lba * blockSize);
            long blocks = Math.max(1, extent.length() / blockSize);
            blocks = Math.min(Math.min(blocks, capacity - lba), MAX_DESCRIPTOR_BLOCKS);
            ProvisioningStatus status = extent.mapped() ? ProvisioningStatus.MAPPED : ProvisioningStatus.DEALLOCATED;
            if (!type.describes(status)) {
                lba += blocks;
                continue;
            }
            out.writeLong(lba);
            out.writeInt((int) blocks);
            out.writeByte(status.wire());
            out.writeZero(3);
            lba += blocks;
            count++;
        }
        // PARAMETER DATA LENGTH counts the bytes after itself.
        out.setInt(headerAt, HEADER - 4 + count * DESCRIPTOR);
        out.setByte(headerAt + 7, RTP);
    }
}
