package io.platter.lun;

import static io.platter.lun.TestFiles.patternBytes;
import static io.platter.lun.TestFiles.readBytes;
import static io.platter.lun.TestFiles.writePattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.platter.lun.BlockDevice.Extent;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MemoryBlockDeviceTest {

    private static final int CHUNK = MemoryBlockDevice.CHUNK;

    @Test
    void aLargeDeviceCostsNothingUntilWritten() throws Exception {
        try (MemoryBlockDevice dev = new MemoryBlockDevice(1L << 40)) {
            assertThat(dev.allocatedBytes()).isZero();
            assertThat(readBytes(dev, 1L << 39, 4096)).containsOnly(0);
            assertThat(dev.extentAt(0)).isEqualTo(new Extent(0, 1L << 40, false));
            writePattern(dev, CHUNK - 10, 20, 1); // straddles two chunks
            assertThat(dev.allocatedBytes()).isEqualTo(2L * CHUNK);
            assertThat(readBytes(dev, CHUNK - 10, 20)).isEqualTo(patternBytes(20, 1));
            assertThat(dev.extentAt(5)).isEqualTo(new Extent(5, 2L * CHUNK - 5, true));
            assertThat(dev.extentAt(2L * CHUNK)).isEqualTo(new Extent(2L * CHUNK, (1L << 40) - 2L * CHUNK, false));
        }
    }

    @Test
    void discardFreesWholeChunksAndZerosPartialOnes() throws Exception {
        try (MemoryBlockDevice dev = new MemoryBlockDevice(1 << 20)) {
            writePattern(dev, 0, 4 * CHUNK, 2);
            dev.discard(100, 2 * CHUNK); // zeros part of chunk 0 and 2, frees chunk 1
            assertThat(dev.allocatedBytes()).isEqualTo(3L * CHUNK);
            byte[] want = patternBytes(4 * CHUNK, 2);
            Arrays.fill(want, 100, 100 + 2 * CHUNK, (byte) 0);
            assertThat(readBytes(dev, 0, 4 * CHUNK)).isEqualTo(want);
            assertThat(dev.extentAt(CHUNK)).isEqualTo(new Extent(CHUNK, CHUNK, false));
            assertThat(dev.extentAt(0)).isEqualTo(new Extent(0, CHUNK, true));
        }
    }

    @Test
    void errors() throws Exception {
        MemoryBlockDevice dev = new MemoryBlockDevice(4096);
        assertThatThrownBy(() -> readBytes(dev, 4000, 100)).isInstanceOf(BlockDeviceException.OutOfRange.class);
        assertThatThrownBy(() -> dev.discard(-1, 1)).isInstanceOf(BlockDeviceException.OutOfRange.class);
        assertThatThrownBy(() -> dev.extentAt(4096)).isInstanceOf(BlockDeviceException.OutOfRange.class);
        dev.close();
        assertThatThrownBy(() -> readBytes(dev, 0, 1)).isInstanceOf(BlockDeviceException.class);
        MemoryBlockDevice ro = new MemoryBlockDevice(4096, true);
        assertThatThrownBy(() -> writePattern(ro, 0, 1, 1)).isInstanceOf(BlockDeviceException.ReadOnly.class);
        assertThatThrownBy(() -> new MemoryBlockDevice(1000)).isInstanceOf(IllegalArgumentException.class);
    }
}
