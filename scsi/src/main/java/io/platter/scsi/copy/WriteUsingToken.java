package io.platter.scsi.copy;

import io.netty.buffer.ByteBuf;
import io.platter.scsi.ItNexus;
import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;
import io.platter.scsi.task.UnitContext;
import java.util.ArrayList;
import java.util.List;

/**
 * WRITE USING TOKEN (SBC-4 §5.x, opcode 83h service action 11h): writes the data a ROD token
 * represents, from OFFSET INTO ROD on, to the range descriptors of this unit, in order. CDB: bytes
 * 6-9 LIST IDENTIFIER, 10-13 PARAMETER LIST LENGTH. Parameter list: 0-1 WRITE USING TOKEN DATA
 * LENGTH, byte 2 bit 1 DEL_TKN and bit 0 IMMED, 8-15 OFFSET INTO ROD (logical blocks), 16-527 ROD
 * TOKEN, 534-535 BLOCK DEVICE RANGE DESCRIPTOR LIST LENGTH, range descriptors from byte 536.
 *
 * <p>The token is checked before any data moves ({@link RodTokens#acquire}: INVALID TOKEN
 * OPERATION with the reason); a token of another target's unit is REMOTE TOKEN USAGE NOT
 * SUPPORTED. The well-known block device zero ROD token writes zeros. The data moves through
 * {@link CopyJob} by the rules of both units; each chunk checks, under its range locks, that the
 * token is still valid, so no block written after POPULATE TOKEN is ever copied (a token cancelled
 * mid-copy ends the command with COPY ABORTED, INVALID TOKEN OPERATION, TOKEN CANCELLED). When the
 * token represents fewer blocks than the ranges ask for, the blocks it has are written.
 */
final class WriteUsingToken implements CommandHandler {

    static final int SERVICE_ACTION = 0x11;
    private static final int LIST_IDENTIFIER = 6;
    static final int HEADER_LENGTH = 536;
    static final int TOKEN_AT = 16;
    private static final int DEL_TKN = 0x02;

    private final RodTokens tokens;
    private final TokenResults results;

    WriteUsingToken(RodTokens tokens, TokenResults results) {
        this.tokens = tokens;
        this.results = results;
    }

    /** The checked parameter list. */
    record Request(boolean deleteToken, long offsetIntoRod, byte[] token, List<BlockRange> ranges) { }

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        long listId = Cdb.u32(cdb, LIST_IDENTIFIER);
        long length = BlockRange.ListHeader.cdbLength(cdb, HEADER_LENGTH);
        UnitContext destination = task.unit();
        Request request;
        RodTokens.Live token = null;
        List<CopyParameterList.Segment> segments;
        try {
            request = parse(task.dataOut(), (int) length, destination.blockCount());
            if (RodToken.rodType(request.token()) == TokenLimits.ROD_TYPE_BLOCK_ZERO) {
                segments = segments(null, destination, List.of(new BlockRange(0, Long.MAX_VALUE / 2)), request);
            } else {
                token = tokens.acquire(request.token());
                UnitContext source = token.source;
                if (task.target().unitByNaa(source.identity().naa()) != source) {
                    throw new CheckConditionException(Sense.TOKEN_REMOTE_USAGE_NOT_SUPPORTED);
                }
                if (task.epochOf(source) != token.epoch) {
                    token.cancel(Sense.TOKEN_CANCELLED);     // the source was reverted since
                    throw new CheckConditionException(Sense.TOKEN_CANCELLED);
                }
                if (request.offsetIntoRod() >= token.blocks() && token.blocks() > 0) {
                    throw CheckConditionException.invalidParameter(8, 7);
                }
                segments = segments(source, destination, token.ranges, request);
            }
        } catch (CheckConditionException e) {
            if (token != null) {
                tokens.release(token, false);
            }
            return new Plan.Failed((int) length, e);
        }
        RodTokens.Live used = token;
        ItNexus nexus = task.command().nexus();
        CopyJob.Guard guard = used == null ? null : () -> {
            if (used.invalid() != null) {
                throw new CheckConditionException(Sense.COPY_ABORTED_TOKEN_CANCELLED);
            }
        };
        long blocks = segments.stream().mapToLong(CopyParameterList.Segment::blocks).sum();
        return new Plan.Copy((int) length, new CopyJob(task, segments, status -> {
            if (status.inProgress()) {
                return;
            }
            if (used != null) {
                tokens.release(used, request.deleteToken() && status.state() == CopyResults.State.COMPLETED);
            }
            if (nexus != null && status.state() == CopyResults.State.COMPLETED) {
                results.hold(destination, nexus, listId, new TokenResults.Result(SERVICE_ACTION, blocks, null));
            }
        }, guard));
    }

    /**
     * The copy segments: the token's ranges from OFFSET INTO ROD on, laid onto the destination
     * ranges in order, until either runs out. {@code source} null: zeros.
     */
    static List<CopyParameterList.Segment> segments(UnitContext source, UnitContext destination, List<BlockRange> from,
                                                    Request request) {
        List<CopyParameterList.Segment> out = new ArrayList<>();
        int i = 0;
        long skip = request.offsetIntoRod();
        long srcLba = 0;
        long srcLeft = 0;
        for (BlockRange to : request.ranges()) {
            long dstLba = to.lba();
            long dstLeft = to.blocks();
            while (dstLeft > 0) {
                while (srcLeft == 0) {
                    if (i == from.size()) {
                        return out;
                    }
                    BlockRange r = from.get(i++);
                    long skipped = Math.min(skip, r.blocks());
                    skip -= skipped;
                    srcLba = r.lba() + skipped;
                    srcLeft = r.blocks() - skipped;
                }
                int n = (int) Math.min(Math.min(srcLeft, dstLeft), Integer.MAX_VALUE);
                out.add(new CopyParameterList.Segment(source, destination, n, srcLba, dstLba));
                srcLba += n;
                srcLeft -= n;
                dstLba += n;
                dstLeft -= n;
            }
        }
        return out;
    }

    /**
     * Parses the parameter list (class comment).
     *
     * @param data the Data-Out, or null; not retained, not released
     */
    static Request parse(ByteBuf data, int length, long capacity) throws CheckConditionException {
        BlockRange.ListHeader header = BlockRange.ListHeader.check(data, length, HEADER_LENGTH, 534);
        int base = header.base();
        int rangesLength = header.rangesLength();
        int flags = header.flags();
        long offset = data.getLong(base + 8);
        if (offset < 0) {
            throw CheckConditionException.invalidParameter(8, 7);
        }
        byte[] token = new byte[RodToken.LENGTH];
        data.getBytes(base + TOKEN_AT, token);
        List<BlockRange> ranges = BlockRange.parse(data, base + HEADER_LENGTH, rangesLength, 534, capacity);
        return new Request((flags & DEL_TKN) != 0, offset, token, ranges);
    }
}
