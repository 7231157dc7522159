package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb16;
import static io.platter.scsi.Fixture.pattern;
import static io.platter.scsi.Fixture.rw10;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.platter.lun.BlockDeviceException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ExtendedCopyTest {

    private static final UUID UUID_2 = UUID.fromString("0b7e9f10-2c3d-4e5f-8a6b-7c8d9e0f1a2b");

    /** A second unit at LUN 1 of the fixture's target; I/O on the calling thread. */
    private static MemoryDevice addLun1(Fixture f, int blocks) {
        MemoryDevice d = new MemoryDevice(blocks * 512, false);
        f.target.addLun(1, new LogicalUnit(new LunIdentity(UUID_2), d, Runnable::run, Fixture.ALLOC));
        Fixture.clearUnitAttentions(f.target, 0);
        Fixture.clearUnitAttentions(f.target, 1);
        return d;
    }

    static byte[] xcopy(int length) {
        return cdb16(0x83, 0, 0, 0, 0, 0, 0, 0, 0, 0, length >>> 24, length >>> 16, length >>> 8, length);
    }

    static byte[] rcr(int serviceAction, int listId) {
        return cdb16(0x84, serviceAction, listId, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x04, 0);
    }

    /** Builds a parameter list: header, target descriptors, segment descriptors. */
    static final class ListBuilder {
        private final ByteBuffer targets = ByteBuffer.allocate(4096);
        private final ByteBuffer segments = ByteBuffer.allocate(4096);
        private int listId = 1;
        private int usage;

        ListBuilder list(int id, int listIdUsage) {
            listId = id;
            usage = listIdUsage;
            return this;
        }

        /** Identification descriptor (E4h unless told) with an NAA designator, block length 512. */
        ListBuilder target(int type, long naa) {
            targets.put((byte) type).put((byte) 0).putShort((short) 0);
            targets.put((byte) 0x01).put((byte) 0x03).put((byte) 0).put((byte) 8).putLong(naa);
            targets.put(new byte[12]);
            targets.put((byte) 0).put((byte) 0).putShort((short) 512);
            return this;
        }

        ListBuilder target(long naa) {
            return target(0xE4, naa);
        }

        ListBuilder segment(int src, int dst, int blocks, long srcLba, long dstLba) {
            segments.put((byte) 0x02).put((byte) 0).putShort((short) 0x18);
            segments.putShort((short) src).putShort((short) dst).putShort((short) 0);
            segments.putShort((short) blocks).putLong(srcLba).putLong(dstLba);
            return this;
        }

        /** A stream to stream segment (03h), which is not supported. */
        ListBuilder streamSegment() {
            segments.put((byte) 0x03).put((byte) 0).putShort((short) 0x10).put(new byte[16]);
            return this;
        }

        byte[] build() {
            ByteBuffer b = ByteBuffer.allocate(16 + targets.position() + segments.position());
            b.put((byte) listId).put((byte) (usage << 3)).putShort((short) targets.position());
            b.putInt(0).putInt(segments.position()).putInt(0);
            b.put(targets.array(), 0, targets.position()).put(segments.array(), 0, segments.position());
            return b.array();
        }
    }

    private static Fixture.Result copy(Fixture f, byte[] list) {
        return f.run(xcopy(list.length), list);
    }

    private static long naa(Fixture f, int lun) {
        return f.target.unit(lun).identity().naa();
    }

    @Test
    void copiesAcrossLunsInChunks() {
        try (Fixture f = Fixture.threaded(4096)) {
            MemoryDevice lun1 = addLun1(f, 4096);
            byte[] data = pattern(3000 * 512, 11);
            System.arraycopy(data, 0, f.device.bytes(), 100 * 512, data.length);
            copy(f, new ListBuilder().target(naa(f, 0)).target(naa(f, 1))
                    .segment(0, 1, 3000, 100, 10).build()).assertGood();
            assertThat(Arrays.copyOfRange(lun1.bytes(), 10 * 512, 3010 * 512)).isEqualTo(data);
            assertThat(lun1.bytes()[9 * 512 + 511]).isZero();
            assertThat(lun1.bytes()[3010 * 512]).isZero();
            assertThat(f.unit.context().rangeLocks().outstanding()).isZero();
        }
    }

    @Test
    void anOverlappingCopyWithinOneUnitMovesLikeMemmove() {
        try (Fixture f = Fixture.direct(8192)) {
            byte[] data = pattern(5000 * 512, 3);
            System.arraycopy(data, 0, f.device.bytes(), 0, data.length);
            copy(f, new ListBuilder().target(naa(f, 0)).segment(0, 0, 5000, 0, 1000).build()).assertGood();
            assertThat(Arrays.copyOfRange(f.device.bytes(), 1000 * 512, 6000 * 512)).isEqualTo(data);
        }
    }

    @Test
    void parameterListLengthZeroCopiesNothing() {
        try (Fixture f = Fixture.direct(16)) {
            f.run(0, xcopy(0), null).assertGood();
        }
    }

    @Test
    void operatingParametersReportTheLimits() {
        try (Fixture f = Fixture.direct(16)) {
            byte[] d = f.run(rcr(0x03, 0)).assertGood().data();
            // SPC-4 §6.22 table 244.
            assertThat(ByteBufUtil.hexDump(d)).isEqualTo("0000002a"  // AVAILABLE DATA
                    + "01000000"                 // SNLID: LIST ID USAGE 11b is supported
                    + "0008" + "0010"            // MAXIMUM CSCD / SEGMENT DESCRIPTOR COUNT
                    + "00000400"                 // MAXIMUM DESCRIPTOR LIST LENGTH
                    + "01fffe00"                 // MAXIMUM SEGMENT LENGTH: 65535 blocks
                    + "00000000" + "00000000" + "00000000"  // inline, held data, stream transfer: none
                    + "0000" + "00ff"            // TOTAL CONCURRENT COPIES, at least the maximum with SNLID
                    + "ff" + "09" + "00" + "00"  // MAXIMUM CONCURRENT COPIES, granularities (log2)
                    + "000000" + "02" + "02e4"); // implemented descriptor type codes, ascending
        }
    }

    @Test
    void copyStatusIsHeldPerListIdentifierUnlessDiscarded() {
        try (Fixture f = Fixture.direct(64)) {
            f.run(rcr(0x00, 5)).assertCheck(0x5, 0x24, 0x00).assertCdbPointer(2, -1);
            copy(f, new ListBuilder().list(5, 0b00).target(naa(f, 0)).segment(0, 0, 4, 0, 8).build()).assertGood();
            // SPC-4 §6.25 table 253: COPY COMMAND STATUS 01h, completed without errors.
            assertThat(ByteBufUtil.hexDump(f.run(rcr(0x00, 5)).assertGood().data()))
                    .isEqualTo("00000008" + "01" + "0001" + "00" + "00000800");
            f.run(rcr(0x00, 5)).assertCheck(0x5, 0x24, 0x00);   // returned once, then discarded (§6.25 a)
            copy(f, new ListBuilder().list(6, 0b10).target(naa(f, 0)).segment(0, 0, 4, 0, 8).build()).assertGood();
            f.run(rcr(0x00, 6)).assertCheck(0x5, 0x24, 0x00);
            f.run(rcr(0x01, 5)).assertCheck(0x5, 0x24, 0x00).assertCdbPointer(1, 4);
        }
    }

    @Test
    void failedSegmentDetailsCarryTheSenseOfTheFailedCopyUntilDeliveredWhole() {
        try (Fixture f = Fixture.direct(64)) {
            f.run(rcr(0x04, 7)).assertCheck(0x5, 0x24, 0x00).assertCdbPointer(2, -1);
            f.device.failNext = new BlockDeviceException.NoSpace("full", new IOException("ENOSPC"));
            copy(f, new ListBuilder().list(7, 0b00).target(naa(f, 0)).segment(0, 0, 4, 0, 8).build())
                    .assertCheck(0x7, 0x27, 0x07);
            String details = "0000004a" + "00".repeat(52)
                    + "02" + "00" + "0012"                         // COPY COMMAND STATUS, SENSE DATA LENGTH
                    + "700007000000000a00000000270700000000";      // SPACE ALLOCATION FAILED WRITE PROTECT
            byte[] partial = cdb16(0x84, 0x04, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 0);
            assertThat(ByteBufUtil.hexDump(f.run(partial).assertGood().data())).isEqualTo(details.substring(0, 40));
            assertThat(ByteBufUtil.hexDump(f.run(rcr(0x04, 7)).assertGood().data())).isEqualTo(details);
            assertThat(ByteBufUtil.hexDump(f.run(rcr(0x04, 7)).assertGood().data())).isEqualTo("00000000");
            // 02h: completed with errors, in the one segment it was processing.
            assertThat(ByteBufUtil.hexDump(f.run(rcr(0x00, 7)).assertGood().data()))
                    .isEqualTo("00000008" + "02" + "0001" + "00" + "00000000");
        }
    }

    @Test
    void aCompletedCopyHasNoFailedSegmentDetails() {
        try (Fixture f = Fixture.direct(64)) {
            copy(f, new ListBuilder().list(8, 0b00).target(naa(f, 0)).segment(0, 0, 4, 0, 8).build()).assertGood();
            assertThat(ByteBufUtil.hexDump(f.run(rcr(0x04, 8)).assertGood().data())).isEqualTo("00000000");
        }
    }

    @Test
    void descriptorErrorsHaveTheirOwnSense() {
        try (Fixture f = Fixture.direct(64)) {
            long self = naa(f, 0);
            ListBuilder nine = new ListBuilder();
            for (int i = 0; i < 9; i++) {
                nine.target(self);
            }
            copy(f, nine.segment(0, 0, 1, 0, 1).build()).assertCheck(0x5, 0x26, 0x06);
            ListBuilder seventeen = new ListBuilder().target(self);
            for (int i = 0; i < 17; i++) {
                seventeen.segment(0, 0, 1, 0, 1);
            }
            copy(f, seventeen.build()).assertCheck(0x5, 0x26, 0x08);
            copy(f, new ListBuilder().target(0xE0, self).segment(0, 0, 1, 0, 1).build())
                    .assertCheck(0x5, 0x26, 0x07).assertParameterPointer(16, 7);
            copy(f, new ListBuilder().target(self).streamSegment().build())
                    .assertCheck(0x5, 0x26, 0x09).assertParameterPointer(48, 7);
            assertThat(f.device.cachedWrites.get()).isZero();
        }
    }

    @Test
    void truncatedListsAreParameterListLengthErrors() {
        try (Fixture f = Fixture.direct(64)) {
            byte[] list = new ListBuilder().target(naa(f, 0)).segment(0, 0, 1, 0, 1).build();
            f.run(xcopy(16 + 31), Arrays.copyOf(list, 16 + 31)).assertCheck(0x5, 0x1A, 0x00);
            f.run(xcopy(list.length - 1), Arrays.copyOf(list, list.length - 1)).assertCheck(0x5, 0x1A, 0x00);
            f.run(xcopy(8), Arrays.copyOf(list, 8)).assertCheck(0x5, 0x1A, 0x00);
        }
    }

    @Test
    void unreachableTargetsAndOutOfRangeSegmentsAbortTheCopy() {
        try (Fixture f = Fixture.direct(64)) {
            long self = naa(f, 0);
            Fixture.Result r = copy(f, new ListBuilder().target(self).segment(0, 1, 1, 0, 1).build());
            assertThat(ByteBufUtil.hexDump(r.sense())).isEqualTo("70000a000000000a000000000d0200000000");
            copy(f, new ListBuilder().target(self ^ 1).segment(0, 0, 1, 0, 1).build()).assertCheck(0xA, 0x0D, 0x02);
            copy(f, new ListBuilder().target(self).segment(0, 0, 2, 0, 63).build()).assertCheck(0xA, 0x00, 0x00);
            copy(f, new ListBuilder().target(self).segment(0, 0, 2, 63, 0).build()).assertCheck(0xA, 0x00, 0x00);
            assertThat(f.device.cachedWrites.get()).isZero();
        }
    }

    @Test
    void inquiryAdvertisesThirdPartyCopy() {
        try (Fixture f = Fixture.direct(16)) {
            byte[] std = f.run(cdb16(0x12, 0, 0, 0, 96, 0)).assertGood().data();
            assertThat(std[5] & 0x08).isEqualTo(0x08);
            byte[] page = f.run(Fixture.cdb(0x12, 1, 0x8F, 0x01, 0x40, 0)).assertGood().data();
            // SPC-4 §7.8.17: descriptors in ascending type order, each a multiple of four bytes.
            assertThat(ByteBufUtil.hexDump(page)).isEqualTo("008f0110"
                    // Block Device ROD Token Limits (0000h, SBC-4): reserved, MAXIMUM RANGE DESCRIPTORS,
                    // MAXIMUM and DEFAULT INACTIVITY TIMEOUT, MAXIMUM TOKEN TRANSFER SIZE, OPTIMAL TRANSFER COUNT
                    + "0000" + "0020" + "00".repeat(6) + "0040" + "00000258" + "0000003c"
                    + "0000000002000000" + "0000000000000800"
                    // Supported Commands (0001h): 83h/00h 10h 11h, 84h/00h 03h 04h 07h
                    + "0001" + "000c" + "0b" + "8303001011" + "840400030407"
                    // Parameter Data (0004h, table 648): reserved, CSCD and segment counts, list length, inline
                    + "0004" + "001c" + "00000000" + "0008" + "0010" + "00000400" + "00000000" + "00".repeat(12)
                    // Supported Descriptors (0008h): 02h block to block, E4h identification
                    + "0008" + "0004" + "02" + "02e4" + "00"
                    // Supported CSCD IDs (000Ch): none above 07FFh
                    + "000c" + "0004" + "0000" + "0000"
                    // Supported ROD Types (0108h): 00800001h TOKEN_IN and TOKEN_OUT, FFFF0001h (zero) TOKEN_IN
                    + "0108" + "0084" + "0000" + "0080" + "00800001" + "03" + "00" + "0000" + "00".repeat(56)
                    + "ffff0001" + "02" + "00" + "0000" + "00".repeat(56)
                    // General Copy Operations (8001h, table 658): concurrent copies, segment length, granularities
                    + "8001" + "0020" + "000000ff" + "000000ff" + "01fffe00" + "09" + "00" + "00".repeat(18));
        }
    }

    @Test
    void readsOfTheSourceAndWritesToTheDestinationUseTheUnitsBuffersOnly() {
        try (Fixture f = Fixture.direct(64)) {
            MemoryDevice lun1 = addLun1(f, 64);
            f.run(0, rw10(0x2A, 0, 2, 0), Unpooled.wrappedBuffer(pattern(1024, 9))).assertGood();
            copy(f, new ListBuilder().target(naa(f, 0)).target(naa(f, 1)).segment(0, 1, 2, 0, 62).build())
                    .assertGood();
            assertThat(Arrays.copyOfRange(lun1.bytes(), 62 * 512, 64 * 512)).isEqualTo(pattern(1024, 9));
        }
    }
}
