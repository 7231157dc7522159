package io.platter.scsi.sbc;

import io.netty.buffer.ByteBuf;
import io.platter.lun.BlockDevice;
import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.command.LbaField;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;
import io.platter.scsi.task.UnitContext;

/**
 * READ (6/10/12/16) (SBC-4 §5.15-§5.18) and WRITE (6/10/12/16) (SBC-4 §5.31-§5.34).
 *
 * <p>A read lands in one buffer from the unit's allocator, filled by the device: on the calling
 * thread when the device has the data in memory ({@link BlockDevice#readIfCached}), else on the
 * unit's I/O executor. A write passes
 * a slice of the Data-Out buffer to the device (no copy); the task releases the buffer when the
 * command completes. FUA (byte 1 bit 3), or a disabled write cache (WCE=0), makes a write
 * durable. When the initiator sends less Data-Out than the transfer length (its iSCSI expected
 * data transfer length was shorter), only the whole blocks it sent are written and the transport
 * reports the overflow residual (RFC 7143 §11.4.5.1, as LIO and libiscsi's residual tests
 * expect); excess Data-Out is ignored and reported as underflow.
 *
 * <p>The plan names the range: the task's executor shares it for a read and holds it
 * exclusively for a write, so overlapping commands never see each other half done.
 */
final class ReadWrite implements CommandHandler {

    enum Op { READ, WRITE }

    private static final int FUA_BYTE = 1;
    private static final int FUA_BIT = 3;
    /**
     * Reads up to this size try the page cache on the calling thread first; larger ones always
     * go to the I/O executor, whose threads copy them in parallel instead of holding up the
     * event loop's other connections.
     */
    static final int INLINE_READ_LIMIT = 64 * 1024;

    private final Op op;
    private final LbaField field;

    ReadWrite(Op op, LbaField field) {
        this.op = op;
        this.field = field;
    }

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        UnitContext unit = task.unit();
        long lba = field.lba(cdb);
        long blocks = field.transferLength(cdb);
        LbaField.checkRange(unit, lba, blocks);
        int bytes = (int) blocks * unit.blockSize();
        long offset = lba * unit.blockSize();
        if (op == Op.READ) {
            if (blocks == 0) {
                return Plan.GOOD;
            }
            return Plan.read(offset, bytes, bytes > INLINE_READ_LIMIT ? null : () -> read(unit, offset, bytes, true),
                    () -> read(unit, offset, bytes, false));
        }
        ByteBuf dataOut = task.dataOut();
        int available = dataOut == null ? 0 : dataOut.readableBytes();
        int writable = Math.min(bytes, available - available % unit.blockSize());
        if (writable == 0) {
            return Plan.good(bytes);
        }
        boolean fua = field != LbaField.SIX && Cdb.bit(cdb, FUA_BYTE, FUA_BIT);
        boolean durable = fua || !unit.modeState().writeCacheEnabled();
        ByteBuf data = dataOut.slice(dataOut.readerIndex(), writable);
        BlockDevice device = unit.device();
        return Plan.write(bytes, offset, writable, () -> {
            device.write(offset, data, durable);
            return null;
        });
    }

    /**
     * One read into a new buffer from the unit's allocator; with {@code ifCached} only when the
     * device can without waiting ({@link BlockDevice#readIfCached}), else null.
     */
    private static ByteBuf read(UnitContext unit, long offset, int bytes, boolean ifCached)
            throws io.platter.lun.BlockDeviceException {
        ByteBuf dataIn = unit.alloc().buffer(bytes);
        try {
            if (ifCached) {
                if (unit.device().readIfCached(offset, bytes, dataIn)) {
                    return dataIn;
                }
                dataIn.release();
                return null;
            }
            unit.device().read(offset, bytes, dataIn);
            return dataIn;
        } catch (Throwable t) {
            dataIn.release();
            throw t;
        }
    }
}
