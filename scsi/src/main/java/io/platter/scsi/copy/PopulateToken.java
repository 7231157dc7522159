package io.platter.scsi.copy;

import io.netty.buffer.ByteBuf;
import io.platter.scsi.ItNexus;
import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.sense.StorageErrors;
import io.platter.scsi.task.MediumAccess;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;
import io.platter.scsi.task.UnitContext;
import java.util.List;

/**
 * POPULATE TOKEN (SBC-4 §5.x, opcode 83h service action 10h): creates a ROD token that represents
 * the blocks of the range descriptors as they are now. CDB: bytes 6-9 LIST IDENTIFIER, 10-13
 * PARAMETER LIST LENGTH. Parameter list: 0-1 POPULATE TOKEN DATA LENGTH, byte 2 bit 1 RTV and bit
 * 0 IMMED, 4-7 INACTIVITY TIMEOUT (seconds, 0 for the default), 8-11 ROD TYPE (when RTV), 14-15
 * BLOCK DEVICE RANGE DESCRIPTOR LIST LENGTH, range descriptors from byte 16. The token is made
 * while the ranges' envelope is held shared in the unit's range locks, so no write is half done
 * on them; every later write cancels it ({@link TokenWatch}). IMMED changes nothing: the command
 * completes as soon as the token exists. RECEIVE ROD TOKEN INFORMATION returns the token.
 */
final class PopulateToken implements CommandHandler {

    static final int SERVICE_ACTION = 0x10;
    private static final int LIST_IDENTIFIER = 6;
    static final int HEADER_LENGTH = 16;
    private static final int RTV = 0x02;

    private final RodTokens tokens;
    private final TokenResults results;

    PopulateToken(RodTokens tokens, TokenResults results) {
        this.tokens = tokens;
        this.results = results;
    }

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        long listId = Cdb.u32(cdb, LIST_IDENTIFIER);
        long length = BlockRange.ListHeader.cdbLength(cdb, HEADER_LENGTH);
        ByteBuf data = task.dataOut();
        UnitContext unit = task.unit();
        Request request;
        try {
            request = parse(data, (int) length, unit.blockCount());
        } catch (CheckConditionException e) {
            return new Plan.Failed((int) length, e);
        }
        long first = Long.MAX_VALUE;
        long end = 0;
        for (BlockRange r : request.ranges()) {
            if (r.blocks() > 0) {
                first = Math.min(first, r.lba());
                end = Math.max(end, r.end());
            }
        }
        ItNexus nexus = task.command().nexus();
        long epoch = task.epochOf(unit);
        Task.IoWork create = () -> {
            RodTokens.Live t = tokens.create(unit, request.ranges(), epoch, request.timeoutSeconds());
            if (nexus != null) {
                results.hold(unit, nexus, listId, new TokenResults.Result(SERVICE_ACTION, t.blocks(), t.token));
            }
            return null;
        };
        if (first == Long.MAX_VALUE) {
            // Only empty ranges: a token representing no data, nothing to hold.
            return new Plan.Io((int) length, MediumAccess.NONE, 0, 0, StorageErrors.Access.READ, create, null);
        }
        int bs = unit.blockSize();
        return new Plan.Io((int) length, MediumAccess.READ, first * bs, (end - first) * bs, StorageErrors.Access.READ,
                create, null);
    }

    /** The checked parameter list. */
    record Request(int timeoutSeconds, List<BlockRange> ranges) { }

    /**
     * Parses the parameter list (class comment).
     *
     * @param data the Data-Out, or null; not retained, not released
     */
    static Request parse(ByteBuf data, int length, long capacity) throws CheckConditionException {
        BlockRange.ListHeader header = BlockRange.ListHeader.check(data, length, HEADER_LENGTH, 14);
        int base = header.base();
        int rangesLength = header.rangesLength();
        int flags = header.flags();
        long timeout = data.getUnsignedInt(base + 4);
        if (timeout > TokenLimits.MAX_INACTIVITY_SECONDS) {
            throw CheckConditionException.invalidParameter(4, 7);
        }
        if ((flags & RTV) != 0) {
            int type = data.getInt(base + 8);
            if (type != TokenLimits.ROD_TYPE_PIT_CHANGE_VULNERABLE && type != TokenLimits.ROD_TYPE_PIT_DEFAULT
                    && type != TokenLimits.ROD_TYPE_PIT_ANY) {
                throw CheckConditionException.invalidParameter(8, 7);
            }
        }
        List<BlockRange> ranges = BlockRange.parse(data, base + HEADER_LENGTH, rangesLength, 14, capacity);
        return new Request(timeout == 0 ? TokenLimits.DEFAULT_INACTIVITY_SECONDS : (int) timeout, ranges);
    }
}
