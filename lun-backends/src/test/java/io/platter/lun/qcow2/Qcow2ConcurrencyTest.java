package io.platter.lun.qcow2;

import static io.platter.lun.qcow2.Qcow2Tests.pattern;
import static io.platter.lun.qcow2.Qcow2Tests.read;
import static io.platter.lun.qcow2.Qcow2Tests.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Concurrent writes to disjoint parts of the same unallocated clusters all land, and the image stays consistent. */
class Qcow2ConcurrencyTest {

    private static final int CLUSTER = 65536;
    private static final int PIECE = 4096;
    private static final int CLUSTERS = 16;

    @TempDir
    Path dir;

    @Test
    void concurrentPartialWritesToUnallocatedClusters() throws Exception {
        Path img = dir.resolve("c.qcow2");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (Qcow2Image q = Qcow2Image.create(img, CLUSTERS * CLUSTER, 16)) {
            write(q, 0, pattern(CLUSTER, 99));
            q.createSnapshot("shared"); // cluster 0 is now shared: its writes copy on write
            List<Future<?>> done = new ArrayList<>();
            for (int piece = 0; piece < CLUSTERS * CLUSTER / PIECE; piece++) {
                int at = piece * PIECE;
                done.add(pool.submit(() -> {
                    write(q, at, pattern(PIECE, at));
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            for (int at = 0; at < CLUSTERS * CLUSTER; at += PIECE) {
                assertThat(read(q, at, PIECE)).as("piece at %d", at).isEqualTo(pattern(PIECE, at));
            }
        } finally {
            pool.shutdownNow();
        }
        QemuImg.assertClean(img);
    }
}
