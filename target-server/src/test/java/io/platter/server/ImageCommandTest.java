package io.platter.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.platter.lun.qcow2.Qcow2Image;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code platter image check} reports like qemu-img check, with its exit codes. */
class ImageCommandTest {

    @TempDir
    Path dir;

    private int run(StringWriter out, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        return cli.execute(args);
    }

    @Test
    void cleanImageExitsZero() throws Exception {
        Path img = dir.resolve("a.qcow2");
        try (Qcow2Image q = Qcow2Image.create(img, 1 << 20)) {
            q.write(0, Unpooled.wrappedBuffer(new byte[4096]), false);
        }
        StringWriter out = new StringWriter();
        assertThat(run(out, "image", "check", img.toString())).isZero();
        assertThat(out.toString()).contains("No errors were found");
    }

    @Test
    void leakedClusterExitsThree() throws Exception {
        Path img = dir.resolve("b.qcow2");
        Qcow2Image.create(img, 1 << 20).close();
        long clusters = Files.size(img) / 65536;
        try (RandomAccessFile raf = new RandomAccessFile(img.toFile(), "rw")) {
            raf.setLength((clusters + 1) * 65536);
            raf.seek(2 * 65536 + clusters * 2); // refcount block 0 is the third cluster of a new image
            raf.write(new byte[] {0, 1});
        }
        StringWriter out = new StringWriter();
        assertThat(run(out, "image", "check", img.toString())).isEqualTo(3);
        assertThat(out.toString()).contains("1 leaked clusters");
    }

    @Test
    void repairLeaksExitsZeroAfterwards() throws Exception {
        Path img = dir.resolve("c.qcow2");
        Qcow2Image.create(img, 1 << 20).close();
        long clusters = Files.size(img) / 65536;
        try (RandomAccessFile raf = new RandomAccessFile(img.toFile(), "rw")) {
            raf.setLength((clusters + 2) * 65536);
            raf.seek(2 * 65536 + clusters * 2);
            raf.write(new byte[] {0, 1, 0, 1});
        }
        StringWriter out = new StringWriter();
        assertThat(run(out, "image", "check", "-r", "leaks", img.toString())).isZero();
        assertThat(out.toString()).contains("2 leaked clusters").contains("No errors were found");
        assertThat(run(new StringWriter(), "image", "check", img.toString())).isZero();
    }

    @Test
    void anImageInUseIsRefusedUnlessShared() throws Exception {
        Path img = dir.resolve("d.qcow2");
        try (Qcow2Image served = Qcow2Image.create(img, 1 << 20)) { // open for writing, as a daemon has it
            StringWriter out = new StringWriter();
            assertThat(run(out, "image", "check", img.toString())).isEqualTo(1);
            assertThat(out.toString()).contains(img.toString()).contains("in use by another process");
            StringWriter repair = new StringWriter();
            assertThat(run(repair, "image", "check", "-r", "leaks", img.toString())).isEqualTo(1);
            assertThat(repair.toString()).contains("in use by another process");
            StringWriter shared = new StringWriter();
            assertThat(run(shared, "image", "check", "-U", img.toString())).as(shared.toString()).isZero();
            assertThat(served.size()).isEqualTo(1 << 20);
        }
    }

    @Test
    void notAnImageExitsOne() throws Exception {
        Path junk = dir.resolve("junk");
        Files.write(junk, new byte[512]);
        StringWriter out = new StringWriter();
        assertThat(run(out, "image", "check", junk.toString())).isEqualTo(1);
        assertThat(out.toString()).contains("not a qcow2 image");
    }
}
