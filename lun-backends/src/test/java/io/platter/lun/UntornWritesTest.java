package io.platter.lun;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.lun.qcow2.Qcow2Image;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which drivers promise untorn writes ({@link BlockDevice#untornWriteBytes}), the base of WRITE
 * ATOMIC (16) in the SCSI layer: raw images (one pwrite per contiguous write) and memory do;
 * qcow2 does not (a write may allocate and map each cluster it spans separately).
 */
class UntornWritesTest {

    @Test
    void rawAndMemoryWriteUntornAndQcow2DoesNot(@TempDir Path dir) throws Exception {
        try (RawImage thick = RawImage.create(dir.resolve("thick.raw"), 1 << 20, true);
             RawImage thin = RawImage.create(dir.resolve("thin.raw"), 1 << 20, false);
             Qcow2Image qcow2 = Qcow2Image.create(dir.resolve("a.qcow2"), 1 << 20)) {
            assertThat(thick.untornWriteBytes()).as("one aligned page survives a host crash whole").isEqualTo(4096);
            assertThat(thin.untornWriteBytes()).isEqualTo(4096);
            assertThat(qcow2.untornWriteBytes()).isZero();
        }
        assertThat(new MemoryBlockDevice(4096).untornWriteBytes()).isEqualTo(Integer.MAX_VALUE);
    }
}
