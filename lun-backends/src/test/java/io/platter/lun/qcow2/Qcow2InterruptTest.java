package io.platter.lun.qcow2;

import static io.platter.lun.qcow2.Qcow2Tests.pattern;
import static io.platter.lun.qcow2.Qcow2Tests.read;
import static io.platter.lun.qcow2.Qcow2Tests.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An interrupted thread doing qcow2 I/O (a management thread stopped at shutdown) must not fail
 * its I/O nor close the image's channel for every other thread: the JDK closes a FileChannel on
 * an interrupt, and the host file reopens it (issue 14, shutdown defect).
 */
class Qcow2InterruptTest {

    private static final int SIZE = 8 << 20;

    @TempDir
    Path dir;

    @Test
    void anInterruptedWriterStillWritesAndTheNextIoAndFlushSucceed() throws Exception {
        Path path = dir.resolve("i.qcow2");
        byte[] data = pattern(200_000, 5);
        try (Qcow2Image q = Qcow2Image.create(path, SIZE, 16)) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicReference<Boolean> flagKept = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    Thread.currentThread().interrupt(); // pending when the allocating write enters the channel
                    write(q, 1 << 20, data);
                    flagKept.set(Thread.currentThread().isInterrupted());
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            t.start();
            t.join();
            assertThat(failure.get()).as("write of an interrupted thread").isNull();
            assertThat(flagKept.get()).as("the interrupt is kept for the caller").isTrue();
            // Another thread's I/O and the final flush find the channel usable.
            byte[] more = pattern(70_000, 6);
            write(q, 5 << 20, more);
            q.flush();
            assertThat(read(q, 1 << 20, data.length)).isEqualTo(data);
            assertThat(q.file()).isEqualTo(path);
        }
        try (Qcow2Image q = Qcow2Image.open(path, true)) {
            assertThat(read(q, 1 << 20, data.length)).as("acknowledged data after reopen").isEqualTo(data);
        }
        QemuImg.assertClean(path);
    }

    @Test
    void interruptsLandingDuringIoNeverFailIt() throws Exception {
        Path path = dir.resolve("j.qcow2");
        byte[] data = pattern(64 << 10, 9);
        try (Qcow2Image q = Qcow2Image.create(path, SIZE, 16)) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            AtomicInteger done = new AtomicInteger();
            Thread t = new Thread(() -> {
                started.countDown();
                try {
                    for (int i = 0; i < SIZE / data.length; i++) {
                        write(q, (long) i * data.length, data);
                        q.flush();
                        done.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            t.start();
            started.await();
            // One interrupt per step of the writer, landing wherever it is (inside a write or a barrier, or between).
            while (t.isAlive()) {
                int seen = done.get();
                t.interrupt();
                while (t.isAlive() && done.get() == seen) {
                    Thread.onSpinWait();
                }
            }
            assertThat(failure.get()).as("I/O of a thread interrupted again and again").isNull();
            q.flush();
            for (int i = 0; i < SIZE / data.length; i++) {
                assertThat(read(q, (long) i * data.length, data.length)).isEqualTo(data);
            }
        }
        QemuImg.assertClean(path);
    }
}
