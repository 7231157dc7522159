package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb;
import static io.platter.scsi.Fixture.cdb16;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufUtil;
import io.platter.lun.BlockDevice;
import io.platter.scsi.Fixture.Result;
import org.junit.jupiter.api.Test;

class CapacityAndLunsTest {

    @Test
    void readCapacity10() throws Exception {
        try (Fixture f = Fixture.direct(100)) {
            assertThat(f.unit.blockCount()).isEqualTo(100);
            assertThat(f.unit.blockSize()).isEqualTo(512);
            assertThat(ByteBufUtil.hexDump(f.run(cdb(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0)).assertGood().data()))
                    .isEqualTo("0000006300000200");
        }
    }

    @Test
    void readCapacity16() throws Exception {
        try (Fixture f = Fixture.direct(100)) {
            byte[] d = f.run(cdb16(0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32)).assertGood().data();
            assertThat(ByteBufUtil.hexDump(d)).isEqualTo("0000000000000063" + "00000200" + "00" + "03" + "0000"
                    + "00".repeat(16));
            assertThat(f.run(cdb16(0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12)).data()).hasSize(12);
            f.run(cdb16(0x9E, 0x11)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 4);
        }
    }

    @Test
    void readCapacity10CapsAtFFFFFFFF() {
        ScsiTarget target = new ScsiTarget("t", Fixture.ALLOC);
        target.addLun(0, new LogicalUnit(new LunIdentity(Fixture.UUID_1), new HugeDevice(), Runnable::run, Fixture.ALLOC));
        Fixture.run(target, 0, cdb(0x00, 0, 0, 0, 0, 0), null).assertCheck(6, 0x29, 0);
        assertThat(ByteBufUtil.hexDump(Fixture.run(target, 0, cdb(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0), null).data()))
                .isEqualTo("ffffffff00000200");
        byte[] d = Fixture.run(target, 0, cdb16(0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32), null).data();
        assertThat(ByteBufUtil.hexDump(d, 0, 8)).isEqualTo("000001ffffffffff");
        byte[] ms = Fixture.run(target, 0, cdb(0x1A, 0, 0x08, 0, 255, 0), null).data();
        assertThat(ByteBufUtil.hexDump(ms, 4, 4)).isEqualTo("ffffffff");
    }

    @Test
    void reportLunsListsMappedLunsWithSingleLevelAddressing() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            f.target.addLun(300, new LogicalUnit(new LunIdentity(Fixture.UUID_1), new MemoryDevice(4096, false),
                    Runnable::run, Fixture.ALLOC));
            f.target.addLun(7, f.unit);
            assertThat(f.target.luns()).containsExactly(0, 7, 300);
            byte[] d = Fixture.run(f.target, 42, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), null).assertGood().data();
            assertThat(ByteBufUtil.hexDump(d)).isEqualTo("00000018" + "00000000"
                    + "0000000000000000" + "0007000000000000" + "412c000000000000");
            assertThat(f.run(cdb(0xA0, 0, 2, 0, 0, 0, 0, 0, 0, 16, 0, 0)).data()).hasSize(16);
            assertThat(ByteBufUtil.hexDump(f.run(cdb(0xA0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0)).data()))
                    .isEqualTo("0000000000000000");
            f.run(cdb(0xA0, 0, 0x10, 0, 0, 0, 0, 0, 1, 0, 0, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(2, -1);
            f.run(cdb(0xA0, 0, 3, 0, 0, 0, 0, 0, 1, 0, 0, 0)).assertCheck(5, 0x24, 0);
            assertThat(f.target.removeLun(300)).isNotNull();
            assertThat(f.target.luns()).containsExactly(0, 7);
        }
    }

    @Test
    void addLunRejectsDuplicatesAndOutOfRange() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            assertThatThrownBy(() -> f.target.addLun(0, f.unit)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> f.target.addLun(16384, f.unit)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> f.target.addLun(-1, f.unit)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void lunAddressEncodesAndDecodes() {
        assertThat(LunAddress.encode(0)).isZero();
        assertThat(LunAddress.encode(5)).isEqualTo(0x0005_0000_0000_0000L);
        assertThat(LunAddress.encode(255)).isEqualTo(0x00FF_0000_0000_0000L);
        assertThat(LunAddress.encode(256)).isEqualTo(0x4100_0000_0000_0000L);
        assertThat(LunAddress.encode(16383)).isEqualTo(0x7FFF_0000_0000_0000L);
        for (int lun : new int[] {0, 1, 255, 256, 1000, 16383}) {
            assertThat(LunAddress.decode(LunAddress.encode(lun))).isEqualTo(lun);
        }
        assertThat(LunAddress.decode(0x4005_0000_0000_0000L)).as("flat 5").isEqualTo(5);
        assertThat(LunAddress.decode(0x0105_0000_0000_0000L)).as("bus 1").isEqualTo(LunAddress.UNSUPPORTED);
        assertThat(LunAddress.decode(0x8005_0000_0000_0000L)).as("logical unit addressing").isEqualTo(-1);
        assertThat(LunAddress.decode(0x0005_0000_0000_0001L)).as("second level").isEqualTo(-1);
        assertThatThrownBy(() -> LunAddress.encode(16384)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unmappedLunServesOnlyInquiryReportLunsAndRequestSense() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            Result rs = Fixture.run(f.target, 3, cdb(0x03, 0, 0, 0, 252, 0), null).assertGood();
            assertThat(ByteBufUtil.hexDump(rs.data(), 0, 3)).isEqualTo("700005");
            assertThat(rs.data()[12]).isEqualTo((byte) 0x25);
            Fixture.run(f.target, 3, cdb(0x00, 0, 0, 0, 0, 0), null).assertCheck(5, 0x25, 0);
            Fixture.run(f.target, 3, cdb(0xC7, 0, 0, 0, 0, 0), null).assertCheck(5, 0x25, 0);
            Fixture.run(f.target, LunAddress.UNSUPPORTED, Fixture.rw10(0x28, 0, 1, 0), null).assertCheck(5, 0x25, 0);
            Fixture.run(f.target, 3, Fixture.rw10(0x2A, 0, 1, 0),
                    Fixture.ALLOC.buffer(512).writeZero(512)).assertCheck(5, 0x25, 0);
        }
    }

    /** A device of 2^41 blocks (1 PiB) that is never read. */
    private static final class HugeDevice implements BlockDevice {
        @Override
        public long size() {
            return (1L << 41) * 512;
        }

        @Override
        public boolean thin() {
            return true;
        }

        @Override
        public void read(long offset, int length, io.netty.buffer.ByteBuf dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void write(long offset, io.netty.buffer.ByteBuf src, boolean durable) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void flush() {
        }

        @Override
        public void discard(long offset, long length) {
        }

        @Override
        public Extent extentAt(long offset) {
            return new Extent(offset, 1, false);
        }

        @Override
        public void close() {
        }
    }
}
