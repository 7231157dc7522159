package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.Tools;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGTERM during a write workload (DESIGN "Shutdown"): the daemon asks the connected initiator
 * to log out, exits 0 within the bound, every write qemu-io saw acknowledged is in the image,
 * and the LUN's serial number is the same after a restart.
 */
@Timeout(300)
class GracefulStopIT {

    private static final int MIB = 1 << 20;
    private static final int WRITES = 200;
    private static final Pattern WROTE = Pattern.compile("wrote 1048576/1048576 bytes at offset (\\d+)");

    @Test
    void sigtermDuringWritesExitsZeroAndKeepsEveryAcknowledgedWrite() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("GracefulStopIT", "256M")) {
            String serialBefore = serial(server);
            Path out = server.workDir().resolve("qemu-io.out");
            Process writer = startWriter(server, out);
            try {
                awaitAcknowledged(out, 3, writer);
                long t0 = System.nanoTime();
                server.stop(); // SIGTERM; fails unless exit 0 within 20 s and no leak report
                long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertThat(stopMillis).as("time from SIGTERM to exit").isLessThan(15_000);
            } finally {
                writer.destroy();
                if (!writer.waitFor(5, TimeUnit.SECONDS)) {
                    writer.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            String log = Files.readString(server.log(), StandardCharsets.ISO_8859_1);
            assertThat(log).as(log).contains("stopping: asking session").contains("flushed and closed 1 LUN(s)");

            List<Long> acknowledged = acknowledged(out);
            assertThat(acknowledged).as("writes acknowledged before the stop").hasSizeGreaterThanOrEqualTo(3)
                    .hasSizeLessThan(WRITES);
            try (FileChannel image = FileChannel.open(server.image())) {
                ByteBuffer buf = ByteBuffer.allocate(MIB);
                for (long offset : acknowledged) {
                    buf.clear();
                    while (buf.hasRemaining() && image.read(buf, offset + buf.position()) > 0) {
                        // read the whole MiB
                    }
                    int expected = pattern(offset / MIB);
                    for (int i = 0; i < MIB; i++) {
                        if ((buf.get(i) & 0xff) != expected) {
                            throw new AssertionError("acknowledged write at offset " + offset + " lost: byte " + i
                                    + " is " + (buf.get(i) & 0xff) + ", expected " + expected);
                        }
                    }
                }
            }

            server.startAgain();
            assertThat(serial(server)).as("unit serial number after restart").isEqualTo(serialBefore);
        }
    }

    /** The pattern byte of the i-th MiB: never 0, so a hole cannot pass for data. */
    private static int pattern(long i) {
        return (int) (i % 255) + 1;
    }

    /** One qemu-io session writing MiB after MiB with a flush after each; stdout line-buffered. */
    private static Process startWriter(PlatterProcess server, Path out) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("stdbuf", "-oL", "qemu-io", "-f", "raw"));
        for (int i = 0; i < WRITES; i++) {
            cmd.add("-c");
            cmd.add("write -P " + pattern(i) + " " + (long) i * MIB + " 1M");
            cmd.add("-c");
            cmd.add("flush");
        }
        cmd.add(server.url());
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
    }

    private static void awaitAcknowledged(Path out, int count, Process writer) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (acknowledged(out).size() >= count) {
                return;
            }
            if (!writer.isAlive()) {
                throw new AssertionError("qemu-io ended early:\n" + Files.readString(out));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("fewer than " + count + " writes in 60 s:\n" + Files.readString(out));
    }

    private static List<Long> acknowledged(Path out) throws IOException {
        List<Long> offsets = new ArrayList<>();
        Matcher m = WROTE.matcher(Files.readString(out, StandardCharsets.ISO_8859_1));
        while (m.find()) {
            offsets.add(Long.parseLong(m.group(1)));
        }
        return offsets;
    }

    private static String serial(PlatterProcess server) {
        return Tools.runOk("iscsi-inq", "-e", "1", "-c", "128", server.url());
    }
}
