package io.platter.scsi;

import static io.platter.scsi.Fixture.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** WRITE ATOMIC (16) (SBC-4 §5.48, §4.29) and its limits in the Block Limits page (SBC-4 §6.6.4). */
class WriteAtomicTest {

    private static final int FUA = 0x08;

    static byte[] writeAtomic16(long lba, int boundary, int blocks, int flags) {
        byte[] b = new byte[16];
        b[0] = (byte) 0x9C;
        b[1] = (byte) flags;
        for (int i = 0; i < 8; i++) {
            b[2 + i] = (byte) (lba >>> (56 - 8 * i));
        }
        b[10] = (byte) (boundary >>> 8);
        b[11] = (byte) boundary;
        b[12] = (byte) (blocks >>> 8);
        b[13] = (byte) blocks;
        return b;
    }

    @Test
    void writesTheBlocksInOneDeviceWrite() throws Exception {
        try (Fixture f = Fixture.direct(64)) {
            byte[] data = pattern(16 * 512, 9);
            Fixture.Result r = f.run(writeAtomic16(8, 0, 16, 0), data).assertGood();
            assertThat(r.dataOutLength()).isEqualTo(16 * 512);
            assertThat(Arrays.copyOfRange(f.device.bytes(), 8 * 512, 24 * 512)).isEqualTo(data);
            assertThat(Arrays.copyOfRange(f.device.bytes(), 0, 8 * 512)).containsOnly(0);
            assertThat(f.device.cachedWrites.get()).isEqualTo(1);
            f.run(writeAtomic16(56, 0, 8, FUA), pattern(8 * 512, 2)).assertGood();
            assertThat(f.device.durableWrites.get()).isEqualTo(1);
        }
    }

    @Test
    void dataOutGatheredFromSeveralPdusReachesTheDeviceAsOneBuffer() throws Exception {
        try (Fixture f = Fixture.direct(64)) {
            byte[] data = pattern(16 * 512, 4);
            CompositeByteBuf parts = Unpooled.compositeBuffer();
            parts.addComponent(true, Unpooled.directBuffer(4096).writeBytes(data, 0, 4096));
            parts.addComponent(true, Unpooled.directBuffer(4096).writeBytes(data, 4096, 4096));
            assertThat(parts.nioBufferCount()).isEqualTo(2);
            f.run(0, writeAtomic16(0, 0, 16, 0), parts).assertGood();
            assertThat(f.device.lastWritePieces).isEqualTo(1);
            assertThat(f.device.cachedWrites.get()).isEqualTo(1);
            assertThat(Arrays.copyOfRange(f.device.bytes(), 0, 16 * 512)).isEqualTo(data);
        }
    }

    @Test
    void zeroBlocksIsGoodAndWritesNothing() throws Exception {
        try (Fixture f = Fixture.direct(64)) {
            f.run(0, writeAtomic16(0, 0, 0, 0), null).assertGood();
            f.run(0, writeAtomic16(64, 0, 0, 0), null).assertGood();
            f.run(0, writeAtomic16(72, 0, 0, 0), null).assertCheck(5, 0x21, 0);
            f.run(0, writeAtomic16(Long.MIN_VALUE, 0, 0, 0), null).assertCheck(5, 0x21, 0);
            assertThat(f.device.cachedWrites.get()).isZero();
        }
    }

    @Test
    void refusalsCarryTheExactSenseAndWriteNothing() throws Exception {
        try (Fixture f = Fixture.direct(1024)) {
            // Off the medium: LBA OUT OF RANGE, before the atomic limits are looked at.
            f.run(writeAtomic16(1016, 0, 16, 0), new byte[16 * 512]).assertCheck(5, 0x21, 0).assertNoPointer();
            f.run(writeAtomic16(-8L, 0, 8, 0), new byte[8 * 512]).assertCheck(5, 0x21, 0);
            // Longer than MAXIMUM ATOMIC TRANSFER LENGTH (256 blocks).
            f.run(writeAtomic16(0, 0, 264, 0), new byte[264 * 512]).assertCheck(5, 0x24, 0).assertCdbPointer(12, -1);
            // Not a multiple of ATOMIC TRANSFER LENGTH GRANULARITY (8 blocks).
            f.run(writeAtomic16(0, 0, 4, 0), new byte[4 * 512]).assertCheck(5, 0x24, 0).assertCdbPointer(12, -1);
            // LBA not a multiple of ATOMIC ALIGNMENT (8 blocks).
            f.run(writeAtomic16(1, 0, 8, 0), new byte[8 * 512]).assertCheck(5, 0x24, 0).assertCdbPointer(2, -1);
            // An ATOMIC BOUNDARY while MAXIMUM ATOMIC BOUNDARY SIZE is 0.
            f.run(writeAtomic16(0, 8, 8, 0), new byte[8 * 512]).assertCheck(5, 0x24, 0).assertCdbPointer(10, -1);
            // Less Data-Out than the transfer: no part of an atomic write is written.
            Fixture.Result r = f.run(writeAtomic16(0, 0, 16, 0), new byte[8 * 512]).assertCheck(5, 0x24, 0);
            assertThat(r.dataOutLength()).isEqualTo(16 * 512);
            assertThat(f.device.cachedWrites.get() + f.device.durableWrites.get()).isZero();
        }
    }

    @Test
    void aDeviceThatCannotWriteUntornOffersNoAtomicWrite() throws Exception {
        try (Fixture f = Fixture.direct(64)) {
            f.device.untornWriteBytes = 0;
            byte[] page = f.run(Fixture.cdb(0x12, 1, 0xB0, 0, 255, 0)).assertGood().data();
            assertThat(Arrays.copyOfRange(page, 44, 64)).containsOnly(0);
            f.run(writeAtomic16(0, 0, 8, 0), new byte[8 * 512]).assertCheck(5, 0x20, 0);
            assertThat(f.device.cachedWrites.get()).isZero();
        }
    }

    @Test
    void limitsFollowWhatTheDeviceWritesUntorn() throws Exception {
        try (Fixture f = Fixture.direct(64)) {
            f.device.untornWriteBytes = 10_000; // two whole 4 KiB units
            byte[] page = f.run(Fixture.cdb(0x12, 1, 0xB0, 0, 255, 0)).assertGood().data();
            assertThat(ByteBufUtil.hexDump(page, 44, 12)).isEqualTo("00000010" + "00000008" + "00000008");
            f.run(writeAtomic16(0, 0, 24, 0), new byte[24 * 512]).assertCheck(5, 0x24, 0).assertCdbPointer(12, -1);
        }
    }
}
