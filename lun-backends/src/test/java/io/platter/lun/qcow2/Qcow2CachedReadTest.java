package io.platter.lun.qcow2;

import static io.platter.lun.qcow2.Qcow2Tests.pattern;
import static io.platter.lun.qcow2.Qcow2Tests.read;
import static io.platter.lun.qcow2.Qcow2Tests.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.platter.lun.Libc;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Qcow2Image#readIfCached}: page-cached reads inside one allocated cluster, declined otherwise. */
class Qcow2CachedReadTest {

    private static final int CLUSTER = 65536;

    @TempDir
    Path dir;

    /** The bytes read by readIfCached, or null when it declined. */
    private static byte[] cached(Qcow2Image q, long offset, int length) throws Exception {
        ByteBuf dst = PooledByteBufAllocator.DEFAULT.directBuffer(length);
        try {
            if (!q.readIfCached(offset, length, dst)) {
                assertThat(dst.readableBytes()).as("a declined read leaves the buffer as it was").isZero();
                return null;
            }
            return ByteBufUtil.getBytes(dst);
        } finally {
            dst.release();
        }
    }

    @Test
    void allocatedClustersReadFromThePageCacheAndEverythingElseDeclines() throws Exception {
        assertThat(Libc.noWaitReadAvailable()).as("preadv2 bound on this Linux host").isTrue();
        try (Qcow2Image q = Qcow2Image.create(dir.resolve("c.qcow2"), 8L << 20)) {
            byte[] data = pattern(2 * CLUSTER, 7);
            write(q, CLUSTER, data);
            q.flush();
            assertThat(read(q, CLUSTER, data.length)).isEqualTo(data); // page cache warm

            assertThat(cached(q, CLUSTER + 4096, 4096)).isEqualTo(read(q, CLUSTER + 4096, 4096));
            assertThat(cached(q, 2 * CLUSTER + 512, 8192)).isEqualTo(read(q, 2 * CLUSTER + 512, 8192));
            assertThat(cached(q, 0, 4096)).as("unallocated cluster (reads zeros elsewhere)").isNull();
            assertThat(cached(q, 2 * CLUSTER - 4096, 8192)).as("two clusters").isNull();
            assertThat(cached(q, 6L << 20, 4096)).as("no L2 table for it").isNull();
        }
    }
}
