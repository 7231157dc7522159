package io.platter.scsi.sbc;

import io.netty.buffer.ByteBuf;
import io.platter.lun.BlockDevice;
import io.platter.lun.BlockDeviceException;
import io.platter.scsi.InternalErrors;
import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.FieldPointer;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.sense.StorageErrors;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;
import io.platter.scsi.task.UnitContext;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SANITIZE (SBC-4 §5.30, sanitize operations §4.11): OVERWRITE (01h) writes the initialization
 * pattern (repeated from the start of every block, inverted between passes with INVERT) over the
 * whole medium OVERWRITE COUNT times; BLOCK ERASE (02h) discards the whole medium, so a thin image
 * deallocates every block and reads return zeros (LBPRZ) and a thick one zeroes them; EXIT FAILURE
 * MODE (1Fh) is GOOD, as this unit never enters the failure mode (a failed sanitize is reported as
 * the storage error it was). CRYPTOGRAPHIC ERASE (03h) has no row, so the opcode table answers
 * INVALID FIELD IN CDB: an image has no media encryption key to change.
 *
 * <p>The erase runs under the unit's {@link io.platter.scsi.task.MediumFence} held exclusively (no
 * write of another task runs during it), and while it runs every command that needs the medium
 * answers NOT READY, SANITIZE IN PROGRESS with the progress indication ({@code Admission}). With
 * IMMED the command ends GOOD once its parameters are checked and the erase goes on, on the I/O
 * executor. AUSE is accepted and has no effect (there is no failure mode to exit from).
 */
final class Sanitize implements CommandHandler {

    private static final Logger log = LoggerFactory.getLogger(Sanitize.class);

    /** Service actions with a row of the opcode table (SBC-4 table 49). */
    static final int OVERWRITE = 0x01;
    static final int BLOCK_ERASE = 0x02;
    static final int EXIT_FAILURE_MODE = 0x1F;

    /** Size of the pattern buffer an overwrite writes from. */
    static final int BUFFER_BYTES = 1 << 20;

    private static final int IMMED_BYTE = 1;
    private static final int IMMED_BIT = 7;
    private static final int LENGTH_BYTE = 7;
    private static final int HEADER = 4;
    private static final int INVERT_BIT = 7;
    private static final int TEST_MASK = 0x60;
    private static final int COUNT_MASK = 0x1F;

    private final int serviceAction;

    Sanitize(int serviceAction) {
        this.serviceAction = serviceAction;
    }

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        UnitContext unit = task.unit();
        int length = Cdb.u16(cdb, LENGTH_BYTE);
        boolean immediate = Cdb.bit(cdb, IMMED_BYTE, IMMED_BIT);
        if (serviceAction != OVERWRITE) {
            if (length != 0) {
                // BLOCK ERASE and EXIT FAILURE MODE take no parameter list (SBC-4 §5.30.1).
                throw CheckConditionException.invalidCdbField(LENGTH_BYTE);
            }
            if (serviceAction == EXIT_FAILURE_MODE) {
                return Plan.GOOD;
            }
            return start(unit, -1, immediate, device -> erase(unit, device));
        }
        int blockSize = unit.blockSize();
        if (length < HEADER + 1 || length > HEADER + blockSize) {
            throw CheckConditionException.invalidCdbField(LENGTH_BYTE);
        }
        ByteBuf dataOut = task.dataOut();
        if (dataOut == null || dataOut.readableBytes() < length) {
            return new Plan.Failed(length, new CheckConditionException(Sense.PARAMETER_LIST_LENGTH_ERROR));
        }
        byte[] list = new byte[length];
        dataOut.getBytes(dataOut.readerIndex(), list);
        try {
            byte[] block = overwriteBlock(list, blockSize);
            int passes = list[0] & COUNT_MASK;
            boolean invert = Cdb.bit(list, 0, INVERT_BIT);
            return start(unit, length, immediate, device -> overwrite(unit, device, block, passes, invert));
        } catch (CheckConditionException e) {
            return new Plan.Failed(length, e);
        }
    }

    /**
     * The OVERWRITE parameter list (SBC-4 §5.30.2.2) as one block of the pattern: byte 0 INVERT,
     * TEST and OVERWRITE COUNT, bytes 2-3 INITIALIZATION PATTERN LENGTH, then the pattern.
     */
    static byte[] overwriteBlock(byte[] list, int blockSize) throws CheckConditionException {
        if ((list[0] & TEST_MASK) != 0) {
            throw CheckConditionException.invalidParameter(0, 6);
        }
        if ((list[0] & COUNT_MASK) == 0) {
            throw CheckConditionException.invalidParameter(0, 4);
        }
        int patternLength = Cdb.u16(list, 2);
        if (patternLength == 0 || patternLength > blockSize || patternLength != list.length - HEADER) {
            throw new CheckConditionException(Sense.INVALID_FIELD_IN_PARAMETER_LIST, FieldPointer.parameter(2));
        }
        byte[] block = new byte[blockSize];
        for (int i = 0; i < blockSize; i++) {
            block[i] = list[HEADER + i % patternLength];
        }
        return block;
    }

    /** The erase itself, given the device it runs on. */
    private interface Erase {
        void run(BlockDevice device) throws BlockDeviceException;
    }

    /**
     * A plan that marks the sanitize as running, then erases under the exclusive fence: on the
     * I/O executor after the task ended GOOD with IMMED, else as the task's work.
     */
    private static Plan start(UnitContext unit, int dataOutLength, boolean immediate, Erase erase) {
        Task.IoWork job = () -> {
            try {
                unit.fence().exclusive(() -> erase.run(unit.device()));
            } finally {
                unit.sanitizeDone();
            }
            return null;
        };
        Task.IoWork begin = () -> {
            if (!unit.startSanitize()) {
                throw new CheckConditionException(Sense.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS);
            }
            if (immediate) {
                try {
                    unit.ioExecutor().execute(() -> {
                        try {
                            job.run();
                        } catch (BlockDeviceException e) {
                            // No task is left to report it to: the unit is ready again, the log says why.
                            log.warn("SANITIZE with IMMED failed: {}", e.toString());
                        } catch (Exception e) {
                            InternalErrors.record(log, "SANITIZE with IMMED", e);
                        }
                    });
                } catch (RejectedExecutionException e) {
                    unit.sanitizeDone();
                    throw new CheckConditionException(Sense.INTERNAL_TARGET_FAILURE);
                }
            }
            return null;
        };
        return Plan.control(dataOutLength, StorageErrors.Access.WRITE, begin, immediate ? null : job);
    }

    /** BLOCK ERASE: one discard of the whole medium, made durable. */
    private static void erase(UnitContext unit, BlockDevice device) throws BlockDeviceException {
        device.discard(0, device.size());
        device.flush();
        unit.sanitizeProgress(1, 1);
    }

    /** OVERWRITE: {@code passes} writes of {@code block} over the whole medium, inverted between passes with INVERT. */
    private static void overwrite(UnitContext unit, BlockDevice device, byte[] block, int passes, boolean invert)
            throws BlockDeviceException {
        long size = device.size();
        int chunk = (int) Math.min(size, BUFFER_BYTES);
        ByteBuf buffer = unit.alloc().directBuffer(chunk);
        try {
            long total = size * passes;
            for (int pass = 0; pass < passes; pass++) {
                buffer.clear();
                while (buffer.writerIndex() < chunk) {
                    buffer.writeBytes(block, 0, Math.min(block.length, chunk - buffer.writerIndex()));
                }
                if (invert && pass % 2 == 1) {
                    for (int i = 0; i < chunk; i++) {
                        buffer.setByte(i, ~buffer.getByte(i));
                    }
                }
                for (long done = 0; done < size; done += chunk) {
                    int n = (int) Math.min(chunk, size - done);
                    device.write(done, buffer.slice(0, n), false);
                    unit.sanitizeProgress(pass * size + done + n, total);
                }
            }
            device.flush();
        } finally {
            buffer.release();
        }
    }
}
