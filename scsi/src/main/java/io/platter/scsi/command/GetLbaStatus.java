package io.platter.scsi.command;

import io.netty.buffer.ByteBuf;
import io.platter.lun.BlockDevice;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.sense.StorageErrors;

/**
 * GET LBA STATUS (SBC-4 §5.8, SERVICE ACTION IN(16) 9Eh/12h): LBA status descriptors from the
 * STARTING LOGICAL BLOCK ADDRESS on, one per run of blocks with one provisioning status, read
 * from {@link BlockDevice#extentAt} on the I/O executor. As many descriptors as the allocation
 * length holds are built (at least one, at most {@link #MAX_DESCRIPTORS}); the data is then
 * truncated to the allocation length. A run starting inside a block counts that block as its own.
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

    static final int MAX_DESCRIPTORS = 128;
    private static final int STARTING_LBA = 2;
    private static final int ALLOCATION_LENGTH = 10;
    private static final int HEADER = 8;
    private static final int DESCRIPTOR = 16;
    private static final long MAX_DESCRIPTOR_BLOCKS = 0xFFFF_FFFFL;

    @Override
    public void execute(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        UnitContext unit = task.unit();
        long start = Cdb.u64(cdb, STARTING_LBA);
        long allocationLength = Cdb.u32(cdb, ALLOCATION_LENGTH);
        if (start < 0 || start >= unit.blockCount()) {
            throw new CheckConditionException(Sense.LBA_OUT_OF_RANGE);
        }
        if (allocationLength == 0) {
            task.completeGood();
            return;
        }
        int wanted = (int) Math.max(1, Math.min(MAX_DESCRIPTORS, (allocationLength - HEADER) / DESCRIPTOR));
        task.submit(StorageErrors.Access.READ, () -> {
            ByteBuf data = unit.alloc().buffer(HEADER + wanted * DESCRIPTOR);
            try {
                describe(unit, start, wanted, data);
                data.writerIndex((int) Math.min(data.writerIndex(), allocationLength));
                return data;
            } catch (Throwable t) {
                data.release();
                throw t;
            }
        });
    }

    /** Appends the parameter data (header and up to {@code wanted} descriptors) to {@code out}. */
    private static void describe(UnitContext unit, long start, int wanted, ByteBuf out)
            throws io.platter.lun.BlockDeviceException {
        int headerAt = out.writerIndex();
        out.writeZero(HEADER);
        int blockSize = unit.blockSize();
        long capacity = unit.blockCount();
        long lba = start;
        int count = 0;
        while (count < wanted && lba < capacity) {
            BlockDevice.Extent extent = unit.device().extentAt(lba * blockSize);
            long blocks = Math.max(1, extent.length() / blockSize);
            blocks = Math.min(Math.min(blocks, capacity - lba), MAX_DESCRIPTOR_BLOCKS);
            ProvisioningStatus status = extent.mapped() ? ProvisioningStatus.MAPPED : ProvisioningStatus.DEALLOCATED;
            out.writeLong(lba);
            out.writeInt((int) blocks);
            out.writeByte(status.wire());
            out.writeZero(3);
            lba += blocks;
            count++;
        }
        // PARAMETER DATA LENGTH counts the bytes after itself.
        out.setInt(headerAt, HEADER - 4 + count * DESCRIPTOR);
    }
}
