package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb;
import static io.platter.scsi.Fixture.pattern;
import static io.platter.scsi.Fixture.rw10;
import static io.platter.scsi.Fixture.rw12;
import static io.platter.scsi.Fixture.rw16;
import static io.platter.scsi.Fixture.rw6;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.platter.lun.BlockDeviceException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReadWriteTest {

    @Test
    void write10ThenRead10RoundTripsThroughTheTarget() throws Exception {
        try (Fixture f = Fixture.direct(64)) {
            byte[] data = pattern(3 * 512, 7);
            f.run(rw10(0x2A, 5, 3, 0), data).assertGood();
            assertThat(Arrays.copyOfRange(f.device.bytes(), 5 * 512, 8 * 512)).isEqualTo(data);
            assertThat(f.run(rw10(0x28, 5, 3, 0)).assertGood().data()).isEqualTo(data);
            assertThat(f.device.cachedWrites.get()).isEqualTo(1);
            assertThat(f.device.durableWrites.get()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {6, 10, 12, 16})
    void everyCdbSizeRoundTripsOnAThreadPool(int size) throws Exception {
        try (Fixture f = Fixture.threaded(300)) {
            byte[] data = pattern(2 * 512, size);
            f.run(write(size, 9, 2), data).assertGood();
            assertThat(f.run(read(size, 9, 2)).assertGood().data()).isEqualTo(data);
        }
    }

    @Test
    void transferLengthZeroInSixByteCdbsMeans256Blocks() throws Exception {
        try (Fixture f = Fixture.direct(300)) {
            byte[] data = pattern(256 * 512, 3);
            f.run(rw6(0x0A, 10, 0), data).assertGood();
            assertThat(f.run(rw6(0x08, 10, 0)).assertGood().data()).hasSize(256 * 512).isEqualTo(data);
        }
    }

    @Test
    void transferLengthZeroInTenByteCdbsTransfersNothing() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            Fixture.Result r = f.run(rw10(0x28, 0, 0, 0)).assertGood();
            assertThat(r.data()).isNull();
            f.run(rw10(0x2A, 8, 0, 0), new byte[0]).assertGood();
            assertThat(f.device.cachedWrites.get() + f.device.durableWrites.get()).isZero();
        }
    }

    @Test
    void fuaMakesTheWriteDurable() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            f.run(rw10(0x2A, 0, 1, 0x08), new byte[512]).assertGood();
            f.run(rw16(0x8A, 1, 1, 0x08), new byte[512]).assertGood();
            f.run(rw12(0xAA, 2, 1, 0x08), new byte[512]).assertGood();
            assertThat(f.device.durableWrites.get()).isEqualTo(3);
            assertThat(f.device.cachedWrites.get()).isZero();
        }
    }

    @Test
    void writeCacheDisabledMakesEveryWriteDurable() throws Exception {
        try (Fixture f = Fixture.direct(8)) {
            byte[] sense = f.run(cdb(0x1A, 0x08, 0x08, 0, 0xFF, 0)).assertGood().data();
            byte[] select = Arrays.copyOf(sense, sense.length);
            select[0] = 0;
            select[4 + 2] &= ~0x04; // clear WCE
            f.run(cdb(0x15, 0x10, 0, 0, select.length, 0), select).assertGood();
            assertThat(f.unit.writeCacheEnabled()).isFalse();
            f.run(rw10(0x2A, 0, 1, 0), new byte[512]).assertGood();
            f.run(rw6(0x0A, 1, 1), new byte[512]).assertGood();
            assertThat(f.device.durableWrites.get()).isEqualTo(2);
            assertThat(f.device.cachedWrites.get()).isZero();
        }
    }

    @Test
    void lbaPastCapacityIsLbaOutOfRange() throws Exception {
        try (Fixture f = Fixture.direct(16)) {
            f.run(rw10(0x28, 15, 2, 0)).assertCheck(0x5, 0x21, 0x00).assertNoPointer();
            f.run(rw10(0x28, 17, 0, 0)).assertCheck(0x5, 0x21, 0x00);
            f.run(rw16(0x88, -1L, 1, 0)).assertCheck(0x5, 0x21, 0x00);
            f.run(rw16(0x88, Long.MAX_VALUE, 1, 0)).assertCheck(0x5, 0x21, 0x00);
            f.run(rw10(0x2A, 16, 1, 0), new byte[512]).assertCheck(0x5, 0x21, 0x00);
            f.run(rw10(0x28, 15, 1, 0)).assertGood();
            assertThat(f.device.cachedWrites.get()).isZero();
        }
    }

    @Test
    void transferLongerThanTheBlockLimitIsInvalidFieldAtTheLength() throws Exception {
        try (Fixture f = Fixture.direct(16)) {
            f.run(rw16(0x88, 0, 16385, 0)).assertCheck(0x5, 0x24, 0x00).assertCdbPointer(10, -1);
            f.run(rw12(0xA8, 0, 0xFFFFFFFFL, 0)).assertCheck(0x5, 0x24, 0x00).assertCdbPointer(6, -1);
        }
    }

    @Test
    void shortDataOutWritesOnlyTheWholeBlocksSentAndReportsTheTransferLength() throws Exception {
        try (Fixture f = Fixture.direct(16)) {
            byte[] shortData = pattern(2 * 512 - 1, 1);
            Fixture.Result r = f.run(rw10(0x2A, 0, 2, 0), shortData).assertGood();
            assertThat(r.dataOutLength()).isEqualTo(1024);
            assertThat(Arrays.copyOfRange(f.device.bytes(), 0, 512)).isEqualTo(Arrays.copyOf(shortData, 512));
            assertThat(Arrays.copyOfRange(f.device.bytes(), 512, 1024)).containsOnly(0);
            // No Data-Out at all (iSCSI expected length 0): nothing written, still GOOD.
            assertThat(f.run(0, rw10(0x2A, 4, 1, 0), null).assertGood().dataOutLength()).isEqualTo(512);
            assertThat(Arrays.copyOfRange(f.device.bytes(), 2048, 2560)).containsOnly(0);
        }
    }

    @Test
    void excessDataOutIsIgnored() throws Exception {
        try (Fixture f = Fixture.direct(16)) {
            byte[] data = pattern(2 * 512, 5);
            f.run(rw10(0x2A, 0, 1, 0), data).assertGood();
            assertThat(Arrays.copyOfRange(f.device.bytes(), 0, 512)).isEqualTo(Arrays.copyOf(data, 512));
            assertThat(f.device.bytes()[512]).isZero();
        }
    }

    @Test
    void dataOutIsWrittenFromItsReaderIndex() throws Exception {
        try (Fixture f = Fixture.direct(16)) {
            ByteBuf buf = Fixture.ALLOC.directBuffer(600);
            buf.writeZero(88).writeBytes(pattern(512, 9));
            buf.readerIndex(88);
            f.run(0, rw10(0x2A, 1, 1, 0), buf).assertGood();
            assertThat(Arrays.copyOfRange(f.device.bytes(), 512, 1024)).isEqualTo(pattern(512, 9));
        }
    }

    @Test
    void storageErrorsMapThroughStorageErrors() throws Exception {
        try (Fixture f = Fixture.threaded(16)) {
            f.device.failNext = new BlockDeviceException.NoSpace("full", new IOException("ENOSPC"));
            f.run(rw10(0x2A, 0, 1, 0), new byte[512]).assertCheck(0x7, 0x27, 0x07);
            f.device.failNext = new BlockDeviceException.MediumError("eio", new IOException("EIO"));
            f.run(rw10(0x2A, 0, 1, 0), new byte[512]).assertCheck(0x3, 0x0C, 0x00);
            f.device.failNext = new BlockDeviceException.MediumError("eio", new IOException("EIO"));
            f.run(rw10(0x28, 0, 1, 0)).assertCheck(0x3, 0x11, 0x00);
            f.device.failNext = new BlockDeviceException.ReadOnly("ro");
            f.run(rw10(0x2A, 0, 1, 0), new byte[512]).assertCheck(0x7, 0x27, 0x00);
            f.device.failNext = new BlockDeviceException("odd");
            f.run(rw10(0x28, 0, 1, 0)).assertCheck(0x4, 0x44, 0x00);
        }
    }

    @Test
    void manyConcurrentCommandsAllCompleteAndReleaseTheirBuffers() throws Exception {
        try (Fixture f = Fixture.threaded(1024)) {
            List<CompletableFuture<ScsiResponse>> all = new ArrayList<>();
            List<ByteBuf> outs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                CompletableFuture<ScsiResponse> done = new CompletableFuture<>();
                ByteBuf out = null;
                byte[] cdb;
                if (i % 2 == 0) {
                    out = Unpooled.wrappedBuffer(pattern(4 * 512, i));
                    outs.add(out);
                    cdb = rw10(0x2A, i * 4L, 4, 0);
                } else {
                    cdb = rw10(0x28, (i - 1) * 4L, 4, 0);
                }
                f.target.execute(new ScsiCommand(null, 0, cdb, TaskAttribute.SIMPLE, 2048, out), done::complete);
                all.add(done);
            }
            for (CompletableFuture<ScsiResponse> done : all) {
                ScsiResponse r = done.get(10, TimeUnit.SECONDS);
                assertThat(r.status()).isEqualTo(ScsiStatus.GOOD);
                if (r.dataIn() != null) {
                    assertThat(r.dataIn().readableBytes()).isEqualTo(2048);
                    r.dataIn().release();
                }
            }
            assertThat(outs).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        }
    }

    private static byte[] read(int size, int lba, int blocks) {
        return cdbFor(size, true, lba, blocks);
    }

    private static byte[] write(int size, int lba, int blocks) {
        return cdbFor(size, false, lba, blocks);
    }

    private static byte[] cdbFor(int size, boolean read, int lba, int blocks) {
        return switch (size) {
            case 6 -> rw6(read ? 0x08 : 0x0A, lba, blocks);
            case 10 -> rw10(read ? 0x28 : 0x2A, lba, blocks, 0);
            case 12 -> rw12(read ? 0xA8 : 0xAA, lba, blocks, 0);
            default -> rw16(read ? 0x88 : 0x8A, lba, blocks, 0);
        };
    }
}
