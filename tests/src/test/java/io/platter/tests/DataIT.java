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
 * Data integrity through QEMU's libiscsi driver: 64 MiB of random data written with qemu-img,
 * compared before and after a daemon restart, a pattern at the last MiB of the LUN, and the thin
 * image staying sparse.
 */
@Timeout(900)
class DataIT {

    private static final long MIB = 1L << 20;
    private static final long LUN_BYTES = 256 * MIB;
    private static final long DATA_BYTES = 64 * MIB;
    private static final Duration QEMU_TIMEOUT = Duration.ofMinutes(5);

    @Test
    void randomDataSurvivesRestartAndTheThinImageStaysSparse() throws IOException {
        try (PlatterProcess server = PlatterProcess.start("DataIT", "256M")) {
            assertThat(server.image()).as("LUN 0 image").isRegularFile();
            assertThat(Files.size(server.image())).as("image size").isEqualTo(LUN_BYTES);
            assertThat(allocatedBytes(server.image())).as("allocated bytes of the fresh thin image")
                    .isLessThan(LUN_BYTES / 16);

            Path src = server.workDir().resolve("random-64M.img");
            writeRandom(src, DATA_BYTES, 0x5EEDL);

            Tools.runOk(QEMU_TIMEOUT, cmd("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw",
                    src, server.url()));
            assertIdentical(server, src);
            assertThat(allocatedBytes(server.image())).as("allocated bytes after writing 64 MiB")
                    .isLessThan(DATA_BYTES + 16 * MIB);

            qemuIo(server, "write -P 0xa5 " + (LUN_BYTES - MIB) + " 1M", "read -P 0xa5 " + (LUN_BYTES - MIB) + " 1M");

            server.restart();

            assertIdentical(server, src);
            qemuIo(server, "read -P 0xa5 " + (LUN_BYTES - MIB) + " 1M");
        }
    }

    /** {@code qemu-img compare} of SRC against the first 64 MiB of the LUN (raw window). */
    private static void assertIdentical(PlatterProcess server, Path src) {
        String out = Tools.runOk(QEMU_TIMEOUT, cmd("qemu-img", "compare", "--image-opts",
                "driver=raw,file.filename=" + src, window(server, DATA_BYTES)));
        assertThat(out).as(out).contains("Images are identical");
    }

    /** image-opts for a raw window of {@code size} bytes at offset 0 of LUN 0. */
    static String window(PlatterProcess server, long size) {
        return "driver=raw,offset=0,size=" + size + ",file.driver=iscsi,file.transport=tcp,file.portal="
                + server.portal() + ",file.target=" + PlatterProcess.IQN + ",file.lun=0";
    }

    /** Runs qemu-io commands; it exits 0 even when {@code read -P} fails, so its output is checked. */
    private static void qemuIo(PlatterProcess server, String... commands) {
        var c = cmd("qemu-io", "-f", "raw");
        for (String command : commands) {
            c.add("-c");
            c.add(command);
        }
        c.add(server.url());
        String out = Tools.runOk(QEMU_TIMEOUT, c);
        assertThat(out).as(out)
                .doesNotContain("verification failed")
                .doesNotContainPattern("(?i)(read|write) failed")
                .doesNotContainIgnoringCase("mismatch");
        for (String command : commands) {
            String verb = command.startsWith("write") ? "wrote" : "read";
            assertThat(out).as(out).contains(verb + " 1048576/1048576 bytes");
        }
    }

    private static long allocatedBytes(Path file) {
        String[] f = Tools.runOk("stat", "-c", "%b %B", file.toString()).trim().split("\\s+");
        return Long.parseLong(f[0]) * Long.parseLong(f[1]);
    }

    private static void writeRandom(Path file, long size, long seed) throws IOException {
        Random random = new Random(seed);
        byte[] chunk = new byte[(int) MIB];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long done = 0; done < size; done += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
    }
}
