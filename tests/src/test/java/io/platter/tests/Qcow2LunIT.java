package io.platter.tests;

import static io.platter.tests.support.Tools.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.Tools;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A qcow2 LUN through QEMU's libiscsi driver: data written over iSCSI is in the image as
 * qemu-img sees it (check clean, compare identical), survives restarts, a crash leaves at worst
 * leaked clusters, and a snapshot taken with qemu-img while the daemon is stopped reverts.
 */
@Timeout(900)
class Qcow2LunIT {

    private static final long MIB = 1L << 20;
    private static final long DATA_BYTES = 32 * MIB;
    private static final Duration QEMU_TIMEOUT = Duration.ofMinutes(5);

    @Test
    void dataWrittenOverIscsiIsInTheQcow2Image() throws IOException {
        try (PlatterProcess server = PlatterProcess.start("Qcow2LunIT", "128M", "qcow2")) {
            Path image = server.image();
            // -U: the served image holds QEMU's image locks (docs/locking.md), as a running guest's would.
            assertThat(Tools.runOk(QEMU_TIMEOUT, cmd("qemu-img", "info", "-U", image))).contains("file format: qcow2");

            Path src = server.workDir().resolve("random.img");
            writeRandom(src, DATA_BYTES, 0xC0C2L);
            Tools.runOk(QEMU_TIMEOUT, cmd("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", src, server.url()));
            assertIdentical(server, src);

            server.stop();
            assertCheck(image, false);
            String compare = Tools.runOk(QEMU_TIMEOUT, cmd("qemu-img", "compare", "--image-opts",
                    "driver=raw,file.filename=" + src, "driver=raw,offset=0,size=" + DATA_BYTES
                            + ",file.driver=qcow2,file.file.filename=" + image));
            assertThat(compare).contains("Images are identical");
            Tools.runOk(QEMU_TIMEOUT, cmd("qemu-img", "snapshot", "-c", "golden", image));

            server.startAgain();
            Path other = server.workDir().resolve("other.img");
            writeRandom(other, 4 * MIB, 0xBADL);
            Tools.runOk(QEMU_TIMEOUT, cmd("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", other, server.url()));
            server.kill(); // crash after unflushed writes: at worst leaks, never corruption
            assertCheck(image, true);
            Tools.runOk(QEMU_TIMEOUT, cmd("qemu-img", "check", "-r", "leaks", image));

            Tools.runOk(QEMU_TIMEOUT, cmd("qemu-img", "snapshot", "-a", "golden", image));
            server.startAgain();
            assertIdentical(server, src);
        }
    }

    /** qemu-img check: exit 0 (clean), or 3 (leaks only) when {@code leaksAllowed}. */
    private static void assertCheck(Path image, boolean leaksAllowed) {
        Tools.Result r = Tools.run(QEMU_TIMEOUT, cmd("qemu-img", "check", image));
        if (leaksAllowed && r.exitCode() == 3) {
            assertThat(r.output()).as(r.output()).doesNotContain("ERROR");
            return;
        }
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    private static void assertIdentical(PlatterProcess server, Path src) {
        String out = Tools.runOk(QEMU_TIMEOUT, cmd("qemu-img", "compare", "--image-opts",
                "driver=raw,file.filename=" + src, DataIT.window(server, DATA_BYTES)));
        assertThat(out).as(out).contains("Images are identical");
    }

    private static void writeRandom(Path file, long bytes, long seed) throws IOException {
        Random random = new Random(seed);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long done = 0; done < bytes; done += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
    }
}
