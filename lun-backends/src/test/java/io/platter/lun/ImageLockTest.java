package io.platter.lun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.platter.lun.qcow2.Qcow2Image;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Served images hold QEMU's image locks (issue 15, item 1): QEMU's tools refuse to write (or,
 * without -U, even to inspect) an image Platter serves, Platter refuses an image QEMU holds, and
 * read-only opens share a backing file. The oracle is the real qemu-io and qemu-img.
 */
class ImageLockTest {

    private static final int SIZE = 1 << 20;
    private static final String IN_USE = "in use by another process (QEMU or a second Platter)";

    @TempDir
    Path dir;

    @Test
    void aRawImageOpenForWritingShutsOutQemuWritersButNotForcedShareReaders() throws Exception {
        Path img = rawFile("served.raw");
        try (RawImage served = RawImage.open(img, false, true)) {
            assertQemuShutOut(img, "raw");
            assertThat(served.size()).isEqualTo(SIZE);
        }
        assertThat(run("qemu-io", "-f", "raw", "-c", "write 0 512", img.toString()).exit())
                .as("after close the image is free again").isZero();
    }

    @Test
    void aQcow2ImageOpenForWritingShutsOutQemuWritersButNotForcedShareReaders() throws Exception {
        Path img = dir.resolve("served.qcow2");
        Qcow2Image.create(img, SIZE, 16).close();
        try (Qcow2Image served = Qcow2Image.open(img, false)) {
            assertQemuShutOut(img, "qcow2");
            assertThat(served.size()).isEqualTo(SIZE);
        }
        assertThat(run("qemu-io", "-f", "qcow2", "-c", "write 0 512", img.toString()).exit())
                .as("after close the image is free again").isZero();
    }

    @Test
    void platterRefusesARawImageQemuIoHoldsOpen() throws Exception {
        Path img = rawFile("qemu.raw");
        try (QemuIo qemu = QemuIo.open(img, "raw")) {
            assertInUse(() -> RawImage.open(img, false, true), img);
            assertInUse(() -> RawImage.open(img, true, true), img);
        }
        RawImage.open(img, false, true).close(); // qemu-io gone: the lock went with it
    }

    @Test
    void platterRefusesAQcow2ImageQemuIoHoldsOpen() throws Exception {
        Path img = dir.resolve("qemu.qcow2");
        Qcow2Image.create(img, SIZE, 16).close();
        try (QemuIo qemu = QemuIo.open(img, "qcow2")) {
            assertInUse(() -> Qcow2Image.open(img, false), img);
            assertInUse(() -> Qcow2Image.open(img, true), img);
        }
        Qcow2Image.open(img, false).close();
    }

    @Test
    void clonesShareTheirBackingFileWhichNobodyMayWrite() throws Exception {
        Path base = dir.resolve("base.qcow2");
        Qcow2Image.create(base, SIZE, 16).close();
        try (Qcow2Image a = Qcow2Image.create(dir.resolve("a.qcow2"), SIZE, 16, "base.qcow2", "qcow2");
             Qcow2Image b = Qcow2Image.create(dir.resolve("b.qcow2"), SIZE, 16, "base.qcow2", "qcow2")) {
            assertThat(a.size()).isEqualTo(b.size());
            assertInUse(() -> Qcow2Image.open(base, false), base);
            Result write = run("qemu-io", "-f", "qcow2", "-c", "write 0 512", base.toString());
            assertThat(write.exit()).as("qemu-io write on a backing file: %s", write.output()).isNotZero();
            assertThat(write.output()).contains("Failed to get").contains("lock");
            Result info = run("qemu-img", "info", "-f", "qcow2", base.toString());
            assertThat(info.exit()).as("a reader joins the readers: %s", info.output()).isZero();
            Qcow2Image.open(base, true).close();
        }
        Qcow2Image.open(base, false).close();
    }

    @Test
    void theLockOutlivesAReopenOfTheChannel() throws Exception {
        Path img = rawFile("reopened.raw");
        for (boolean descriptor : new boolean[] {true, false}) {
            try (HostFile host = HostFile.open(img, false, descriptor)) {
                AtomicBoolean first = new AtomicBoolean(true);
                long size = host.io("size", ch -> {
                    if (first.getAndSet(false)) {
                        ch.close(); // what an interrupt in another thread does to a FileChannel
                    }
                    return ch.size();
                });
                assertThat(size).isEqualTo(SIZE);
                assertThat(host.reopens()).as("descriptor %s", descriptor).isEqualTo(1);
                Result write = run("qemu-io", "-f", "raw", "-c", "write 0 512", img.toString());
                assertThat(write.exit()).as("descriptor %s: %s", descriptor, write.output()).isNotZero();
                assertThat(write.output()).contains("Failed to get").contains("lock");
            }
        }
    }

    @Test
    void anUnlockedOpenSeesAServedImage() throws Exception {
        Path img = rawFile("stat.raw");
        try (RawImage served = RawImage.open(img, false, true);
             HostFile look = HostFile.open(img, true, true, ImageLock.Mode.NONE)) {
            assertThat(look.allocatedBytes(-1)).isNotNegative();
            assertThat(served.readOnly()).isFalse();
        }
    }

    /**
     * qemu-io cannot write; qemu-img info -U can inspect. Without -U qemu-img info of a qcow2 image
     * is refused too (its metadata must not change under it); of a raw image QEMU lets it share
     * everything, as it does against a running guest.
     */
    private static void assertQemuShutOut(Path img, String format) throws Exception {
        Result write = run("qemu-io", "-f", format, "-c", "write 0 512", img.toString());
        assertThat(write.exit()).as("qemu-io write on a served image: %s", write.output()).isNotZero();
        assertThat(write.output()).contains("Failed to get").contains("lock");
        Result info = run("qemu-img", "info", "-f", format, img.toString());
        if (format.equals("qcow2")) {
            assertThat(info.exit()).as("qemu-img info without -U: %s", info.output()).isNotZero();
            assertThat(info.output()).contains("Failed to get").contains("lock");
        }
        Result shared = run("qemu-img", "info", "-U", "-f", format, img.toString());
        assertThat(shared.exit()).as("qemu-img info -U: %s", shared.output()).isZero();
        assertThat(shared.output()).contains("virtual size: 1 MiB");
    }

    private static void assertInUse(Opener open, Path img) {
        assertThatThrownBy(() -> open.open().close())
                .isInstanceOf(ImageLock.InUse.class)
                .hasMessageContaining(img.toString())
                .hasMessageContaining(IN_USE);
    }

    @FunctionalInterface
    private interface Opener {
        AutoCloseable open() throws Exception;
    }

    private Path rawFile(String name) throws IOException {
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(SIZE);
        }
        return p;
    }

    private record Result(int exit, String output) { }

    private static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }

    /** An interactive qemu-io holding an image open read-write until closed. */
    private static final class QemuIo implements AutoCloseable {
        private final Process process;
        private final OutputStream commands;

        private QemuIo(Process process) {
            this.process = process;
            this.commands = process.getOutputStream();
        }

        /** Starts qemu-io on {@code img} and returns once it has read from it (so it holds its locks). */
        static QemuIo open(Path img, String format) throws IOException {
            Process p = new ProcessBuilder("qemu-io", "-f", format, img.toString()).redirectErrorStream(true).start();
            QemuIo q = new QemuIo(p);
            q.commands.write("read 0 512\n".getBytes(StandardCharsets.US_ASCII));
            q.commands.flush();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            List<String> seen = new ArrayList<>();
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                seen.add(line);
                if (line.contains("read 512/512 bytes")) {
                    return q;
                }
            }
            q.close();
            throw new IOException("qemu-io did not open " + img + ": " + seen);
        }

        @Override
        public void close() throws IOException {
            try {
                commands.write("quit\n".getBytes(StandardCharsets.US_ASCII));
                commands.close();
            } catch (IOException gone) {
                // it exited already
            }
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
