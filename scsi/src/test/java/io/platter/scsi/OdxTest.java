package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb16;
import static io.platter.scsi.Fixture.pattern;
import static io.platter.scsi.Fixture.rw10;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * ODX through the logical unit (SBC-4 POPULATE TOKEN / WRITE USING TOKEN, SPC-5 RECEIVE ROD TOKEN
 * INFORMATION): the token's layout, copies within and across units, and every refusal's sense.
 */
class OdxTest {

    private static final UUID UUID_2 = UUID.fromString("3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f");
    private static final UUID UUID_OTHER = UUID.fromString("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d");

    static byte[] populateCdb(long listId, int length) {
        return cdb16(0x83, 0x10, 0, 0, 0, 0, (int) (listId >>> 24), (int) (listId >>> 16), (int) (listId >>> 8),
                (int) listId, length >>> 24, length >>> 16, length >>> 8, length, 0, 0);
    }

    static byte[] writeUsingTokenCdb(long listId, int length) {
        byte[] c = populateCdb(listId, length);
        c[1] = 0x11;
        return c;
    }

    static byte[] rrtiCdb(long listId, int allocation) {
        return cdb16(0x84, 0x07, (int) (listId >>> 24), (int) (listId >>> 16), (int) (listId >>> 8), (int) listId,
                0, 0, 0, 0, allocation >>> 24, allocation >>> 16, allocation >>> 8, allocation, 0, 0);
    }

    /** POPULATE TOKEN parameter list: {@code ranges} as {lba, blocks} pairs. */
    static byte[] populateList(int flags, int timeout, int rodType, long[]... ranges) {
        ByteBuffer b = ByteBuffer.allocate(16 + 16 * ranges.length);
        b.putShort((short) (b.capacity() - 2)).put((byte) flags).put((byte) 0);
        b.putInt(timeout).putInt(rodType).putShort((short) 0).putShort((short) (16 * ranges.length));
        for (long[] r : ranges) {
            b.putLong(r[0]).putInt((int) r[1]).putInt(0);
        }
        return b.array();
    }

    static byte[] wutList(int flags, long offset, byte[] token, long[]... ranges) {
        ByteBuffer b = ByteBuffer.allocate(536 + 16 * ranges.length);
        b.putShort((short) (b.capacity() - 2)).put((byte) flags).put(new byte[5]);
        b.putLong(offset).put(token).put(new byte[6]).putShort((short) (16 * ranges.length));
        for (long[] r : ranges) {
            b.putLong(r[0]).putInt((int) r[1]).putInt(0);
        }
        return b.array();
    }

    static byte[] zeroToken() {
        byte[] t = new byte[512];
        ByteBuffer.wrap(t).putInt(0xFFFF0001).putShort(6, (short) 0x01F8);
        return t;
    }

    private static Fixture.Result populate(Fixture f, int lun, long listId, byte[] list) {
        return f.run(lun, populateCdb(listId, list.length), Unpooled.wrappedBuffer(list));
    }

    private static Fixture.Result write(Fixture f, int lun, long listId, byte[] list) {
        return f.run(lun, writeUsingTokenCdb(listId, list.length), Unpooled.wrappedBuffer(list));
    }

    /** POPULATE TOKEN then RECEIVE ROD TOKEN INFORMATION: the token. */
    private static byte[] token(Fixture f, int lun, long listId, byte[] list) {
        populate(f, lun, listId, list).assertGood();
        byte[] info = f.run(lun, rrtiCdb(listId, 1024), null).assertGood().data();
        assertThat(info).hasSize(550);
        return Arrays.copyOfRange(info, 38, 550);
    }

    private static MemoryDevice addLun1(Fixture f, int blocks) {
        MemoryDevice d = new MemoryDevice(blocks * 512, false);
        f.target.addLun(1, new LogicalUnit(new LunIdentity(UUID_2), d, Runnable::run, Fixture.ALLOC));
        Fixture.clearUnitAttentions(f.target, 0);
        Fixture.clearUnitAttentions(f.target, 1);
        return d;
    }

    @Test
    void receiveRodTokenInformationReturnsTheTokenOnce() {
        try (Fixture f = Fixture.direct(1024)) {
            populate(f, 0, 7, populateList(0, 0, 0, new long[] {0, 8}, new long[] {100, 24})).assertGood();
            byte[] info = f.run(0, rrtiCdb(7, 1024), null).assertGood().data();
            ByteBuffer b = ByteBuffer.wrap(info);
            assertThat(b.getInt(0)).isEqualTo(546);                 // AVAILABLE DATA
            assertThat(info[4]).isEqualTo((byte) 0x10);             // RESPONSE TO SERVICE ACTION
            assertThat(info[5]).isEqualTo((byte) 0x01);             // COPY OPERATION STATUS: completed
            assertThat(info[15]).isEqualTo((byte) 0xF1);            // TRANSFER COUNT UNITS: blocks
            assertThat(b.getLong(16)).isEqualTo(32);                // TRANSFER COUNT
            assertThat(b.getInt(32)).isEqualTo(514);                // ROD TOKEN DESCRIPTORS LENGTH
            assertThat(b.getInt(38)).isEqualTo(0x00800001);         // ROD TYPE: point in time, change vulnerable
            assertThat(b.getShort(38 + 6)).isEqualTo((short) 0x01F8);
            assertThat(info[38 + 16] & 0xff).isEqualTo(0xE4);       // CREATOR LOGICAL UNIT DESCRIPTOR
            assertThat(b.getLong(38 + 24)).isEqualTo(f.unit.context().identity().naa());
            assertThat(b.getLong(38 + 56)).isEqualTo(32 * 512);     // NUMBER OF BYTES REPRESENTED
            // Returned once (SPC-5: then discarded).
            f.run(0, rrtiCdb(7, 1024), null).assertCheck(5, 0x24, 0).assertCdbPointer(2, 7);
        }
    }

    @Test
    void writeUsingTokenCopiesSeveralRangesInOrder() {
        try (Fixture f = Fixture.direct(1024)) {
            byte[] a = pattern(8 * 512, 1);
            byte[] b = pattern(24 * 512, 2);
            System.arraycopy(a, 0, f.device.bytes(), 0, a.length);
            System.arraycopy(b, 0, f.device.bytes(), 100 * 512, b.length);
            byte[] token = token(f, 0, 1, populateList(0, 0, 0, new long[] {0, 8}, new long[] {100, 24}));
            // 32 blocks laid onto two destination ranges of 20 and 12.
            write(f, 0, 2, wutList(0, 0, token, new long[] {500, 20}, new long[] {600, 12})).assertGood();
            byte[] all = new byte[32 * 512];
            System.arraycopy(a, 0, all, 0, a.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            assertThat(Arrays.copyOfRange(f.device.bytes(), 500 * 512, 520 * 512))
                    .isEqualTo(Arrays.copyOfRange(all, 0, 20 * 512));
            assertThat(Arrays.copyOfRange(f.device.bytes(), 600 * 512, 612 * 512))
                    .isEqualTo(Arrays.copyOfRange(all, 20 * 512, 32 * 512));
            byte[] info = f.run(0, rrtiCdb(2, 1024), null).assertGood().data();
            assertThat(info[4]).isEqualTo((byte) 0x11);
            assertThat(ByteBuffer.wrap(info).getLong(16)).isEqualTo(32);
            assertThat(ByteBuffer.wrap(info).getInt(32)).isZero();  // no token after WRITE USING TOKEN
        }
    }

    @Test
    void offsetIntoRodSkipsBlocksOfTheToken() {
        try (Fixture f = Fixture.direct(256)) {
            byte[] src = pattern(16 * 512, 5);
            System.arraycopy(src, 0, f.device.bytes(), 0, src.length);
            byte[] token = token(f, 0, 1, populateList(0, 0, 0, new long[] {0, 16}));
            write(f, 0, 2, wutList(0, 10, token, new long[] {100, 6})).assertGood();
            assertThat(Arrays.copyOfRange(f.device.bytes(), 100 * 512, 106 * 512))
                    .isEqualTo(Arrays.copyOfRange(src, 10 * 512, 16 * 512));
            write(f, 0, 3, wutList(0, 16, token, new long[] {100, 6})).assertCheck(5, 0x26, 0).assertParameterPointer(8, 7);
        }
    }

    @Test
    void aTokenOfOneUnitWritesToAnotherOfTheTarget() {
        try (Fixture f = Fixture.direct(256)) {
            MemoryDevice lun1 = addLun1(f, 256);
            byte[] src = pattern(40 * 512, 9);
            System.arraycopy(src, 0, f.device.bytes(), 10 * 512, src.length);
            byte[] token = token(f, 0, 1, populateList(0, 0, 0, new long[] {10, 40}));
            write(f, 1, 2, wutList(0, 0, token, new long[] {0, 40})).assertGood();
            assertThat(Arrays.copyOfRange(lun1.bytes(), 0, 40 * 512)).isEqualTo(src);
        }
    }

    @Test
    void aTokenOfAnotherTargetIsRemoteTokenUsage() {
        try (Fixture f = Fixture.direct(256); Fixture other = Fixture.direct(256)) {
            byte[] token = token(f, 0, 1, populateList(0, 0, 0, new long[] {0, 8}));
            write(other, 0, 2, wutList(0, 0, token, new long[] {0, 8})).assertCheck(5, 0x23, 0x02);
        }
    }

    @Test
    void aWriteToTheSourceCancelsTheToken() {
        try (Fixture f = Fixture.direct(256)) {
            byte[] token = token(f, 0, 1, populateList(0, 0, 0, new long[] {0, 8}, new long[] {50, 8}));
            f.run(rw10(0x2A, 53, 1, 0), new byte[512]).assertGood();        // WRITE(10) inside the second range
            write(f, 0, 2, wutList(0, 0, token, new long[] {100, 16})).assertCheck(5, 0x23, 0x08);
            assertThat(f.device.bytes()[100 * 512]).isZero();
            // A write beside the ranges leaves another token valid.
            byte[] second = token(f, 0, 3, populateList(0, 0, 0, new long[] {0, 8}));
            f.run(rw10(0x2A, 8, 1, 0), new byte[512]).assertGood();
            write(f, 0, 4, wutList(0, 0, second, new long[] {100, 8})).assertGood();
        }
    }

    @Test
    void aRevertOfTheSourceCancelsTheToken() {
        try (Fixture f = Fixture.direct(256)) {
            addLun1(f, 256);
            byte[] token = token(f, 0, 1, populateList(0, 0, 0, new long[] {0, 8}));
            f.unit.replaceMedium(() -> { });                             // a snapshot revert, no block written
            write(f, 1, 2, wutList(0, 0, token, new long[] {0, 8})).assertCheck(5, 0x23, 0x08);
            write(f, 0, 3, wutList(0, 0, token, new long[] {100, 8})).assertCheck(5, 0x23, 0x08);
        }
    }

    @Test
    void aTokenCancelledWhileItsCopyRunsAbortsTheCopyAtTheNextChunk() {
        try (Fixture f = Fixture.direct(8192)) {
            byte[] src = pattern(4096 * 512, 4);
            System.arraycopy(src, 0, f.device.bytes(), 0, src.length);
            byte[] token = token(f, 0, 1, populateList(0, 0, 0, new long[] {0, 4096}));
            // The destination overlaps the source: the first 1 MiB chunk (copied back to front)
            // writes blocks the token represents, so the second finds it cancelled.
            write(f, 0, 2, wutList(0, 0, token, new long[] {1000, 4096})).assertCheck(0xA, 0x23, 0x08);
            assertThat(Arrays.copyOfRange(f.device.bytes(), 3048 * 512, 5096 * 512))
                    .isEqualTo(Arrays.copyOfRange(src, 2048 * 512, 4096 * 512));
            assertThat(Arrays.copyOfRange(f.device.bytes(), 1000 * 512, 3048 * 512))
                    .isEqualTo(Arrays.copyOfRange(src, 1000 * 512, 3048 * 512));   // untouched
            f.run(0, rrtiCdb(2, 1024), null).assertCheck(5, 0x24, 0);          // nothing held for a failed copy
            assertThat(f.unit.context().rangeLocks().outstanding()).isZero();
        }
    }

    @Test
    void deleteTokenEndsItAfterItsUse() {
        try (Fixture f = Fixture.direct(256)) {
            byte[] token = token(f, 0, 1, populateList(0, 0, 0, new long[] {0, 8}));
            write(f, 0, 2, wutList(0x02, 0, token, new long[] {100, 8})).assertGood();   // DEL_TKN
            write(f, 0, 3, wutList(0, 0, token, new long[] {100, 8})).assertCheck(5, 0x23, 0x09);
        }
    }

    @Test
    void aForgedTokenIsCorruptAndABadLengthOrTypeIsRefused() {
        try (Fixture f = Fixture.direct(256)) {
            byte[] token = token(f, 0, 1, populateList(0, 0, 0, new long[] {0, 8}));
            for (int bit : new int[] {8 * 8, 100 * 8 + 3, 130 * 8, 511 * 8 + 7}) {
                byte[] forged = token.clone();
                forged[bit / 8] ^= (byte) (1 << (bit % 8));
                write(f, 0, 2, wutList(0, 0, forged, new long[] {100, 8})).assertCheck(5, 0x23, 0x05);
            }
            byte[] shorter = token.clone();
            shorter[7] = (byte) 0xF0;
            write(f, 0, 2, wutList(0, 0, shorter, new long[] {100, 8})).assertCheck(5, 0x23, 0x0A);
            byte[] otherType = token.clone();
            otherType[1] = 0x01;                                             // 00010000h access upon reference
            write(f, 0, 2, wutList(0, 0, otherType, new long[] {100, 8})).assertCheck(5, 0x23, 0x01);
            assertThat(f.device.bytes()[100 * 512]).isZero();
            write(f, 0, 3, wutList(0, 0, token, new long[] {100, 8})).assertGood();  // the real one still works
        }
    }

    @Test
    void theZeroTokenWritesZeros() {
        try (Fixture f = Fixture.direct(256)) {
            Arrays.fill(f.device.bytes(), (byte) 0x5A);
            write(f, 0, 1, wutList(0, 0, zeroToken(), new long[] {10, 4}, new long[] {20, 2})).assertGood();
            assertThat(Arrays.copyOfRange(f.device.bytes(), 10 * 512, 14 * 512)).containsOnly(0);
            assertThat(Arrays.copyOfRange(f.device.bytes(), 20 * 512, 22 * 512)).containsOnly(0);
            assertThat(f.device.bytes()[14 * 512]).isEqualTo((byte) 0x5A);
            assertThat(f.device.bytes()[9 * 512 + 511]).isEqualTo((byte) 0x5A);
        }
    }

    @Test
    void parameterErrorsAreRefusedBeforeAnythingHappens() {
        try (Fixture f = Fixture.direct(256)) {
            // PARAMETER LIST LENGTH shorter than a header and one range.
            f.run(0, populateCdb(1, 16), Unpooled.wrappedBuffer(new byte[16])).assertCheck(5, 0x24, 0)
                    .assertCdbPointer(10, 7);
            // INACTIVITY TIMEOUT above the maximum.
            populate(f, 0, 1, populateList(0, 601, 0, new long[] {0, 8})).assertCheck(5, 0x26, 0)
                    .assertParameterPointer(4, 7);
            // RTV with a ROD type not ours.
            populate(f, 0, 1, populateList(0x02, 0, 0x00010000, new long[] {0, 8})).assertCheck(5, 0x26, 0)
                    .assertParameterPointer(8, 7);
            populate(f, 0, 1, populateList(0x02, 0, 0x00800000, new long[] {0, 8})).assertGood();
            // Past the capacity.
            populate(f, 0, 1, populateList(0, 0, 0, new long[] {250, 7})).assertCheck(5, 0x21, 0);
            // Overlapping ranges.
            populate(f, 0, 1, populateList(0, 0, 0, new long[] {0, 8}, new long[] {7, 2})).assertCheck(5, 0x26, 0);
            // More range descriptors than MAXIMUM RANGE DESCRIPTORS.
            long[][] many = new long[65][];
            for (int i = 0; i < many.length; i++) {
                many[i] = new long[] {i * 2L, 1};
            }
            f.run(0, populateCdb(1, 16 + 16 * 65), Unpooled.wrappedBuffer(populateList(0, 0, 0, many)))
                    .assertCheck(5, 0x26, 0x08);
            // Reserved flag bits.
            populate(f, 0, 1, populateList(0x10, 0, 0, new long[] {0, 8})).assertCheck(5, 0x26, 0)
                    .assertParameterPointer(2, 4);
            write(f, 0, 1, wutList(0, 0, zeroToken(), new long[] {255, 2})).assertCheck(5, 0x21, 0);
            // Nothing held for list 99.
            f.run(0, rrtiCdb(99, 1024), null).assertCheck(5, 0x24, 0);
        }
    }

    @Test
    void aTokenNeverIssuedIsUnknownOrCorrupt() {
        try (Fixture f = Fixture.direct(256)) {
            byte[] guess = new byte[512];
            ByteBuffer.wrap(guess).putInt(0x00800001).putShort(6, (short) 0x01F8);
            write(f, 0, 1, wutList(0, 0, guess, new long[] {0, 8})).assertCheck(5, 0x23, 0x05);
        }
    }

    @Test
    void thirdPartyCopyPageListsTheRodTokenDescriptors() {
        try (Fixture f = Fixture.direct(256)) {
            byte[] page = f.run(Fixture.cdb(0x12, 0x01, 0x8F, 0x04, 0x00, 0)).assertGood().data();
            ByteBuffer b = ByteBuffer.wrap(page);
            assertThat(b.getShort(4)).isEqualTo((short) 0x0000);    // Block Device ROD Token Limits first
            assertThat(b.getShort(6)).isEqualTo((short) 0x0020);
            assertThat(b.getShort(14)).isEqualTo((short) 64);       // MAXIMUM RANGE DESCRIPTORS
            assertThat(b.getInt(16)).isEqualTo(600);                // MAXIMUM INACTIVITY TIMEOUT
            assertThat(b.getInt(20)).isEqualTo(60);                 // DEFAULT INACTIVITY TIMEOUT
            int at = 4;
            java.util.List<Integer> types = new java.util.ArrayList<>();
            int rodTypesAt = -1;
            while (at < page.length) {
                int type = b.getShort(at) & 0xFFFF;
                types.add(type);
                if (type == 0x0108) {
                    rodTypesAt = at;
                }
                at += 4 + (b.getShort(at + 2) & 0xFFFF);
            }
            assertThat(at).isEqualTo(page.length);
            assertThat(types).containsExactly(0x0000, 0x0001, 0x0004, 0x0008, 0x000C, 0x0108, 0x8001);
            assertThat(b.getShort(rodTypesAt + 6)).isEqualTo((short) 128);
            assertThat(b.getInt(rodTypesAt + 8)).isEqualTo(0x00800001);
            assertThat(page[rodTypesAt + 12]).isEqualTo((byte) 0x03);   // TOKEN_IN, TOKEN_OUT
            assertThat(b.getInt(rodTypesAt + 8 + 64)).isEqualTo(0xFFFF0001);
            assertThat(page[rodTypesAt + 12 + 64]).isEqualTo((byte) 0x02);
        }
    }
}
