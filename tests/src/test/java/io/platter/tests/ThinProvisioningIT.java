package io.platter.tests;

import static io.platter.tests.support.Tools.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.Tools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Thin provisioning through QEMU's libiscsi driver: {@code qemu-io discard} becomes UNMAP and
 * {@code write -z -u} becomes WRITE SAME (16) with UNMAP; both punch holes in the thin raw image
 * (its allocated size, {@code stat %b}, shrinks back) and the range reads back as zeros.
 * {@code qemu-img map} asks GET LBA STATUS and must see the holes.
 */
@Timeout(600)
class ThinProvisioningIT {

    private static final long MIB = 1L << 20;
    private static final Duration QEMU_TIMEOUT = Duration.ofMinutes(3);

    @Test
    void discardAndWriteZeroesWithUnmapKeepTheImageSparse() {
        try (PlatterProcess server = PlatterProcess.start("ThinProvisioningIT", "64M")) {
            long fresh = allocatedBytes(server.image());
            assertThat(fresh).as("allocated bytes of the fresh thin image").isLessThan(MIB);

            qemuIo(server, "write -P 0x5a 0 16M");
            assertThat(allocatedBytes(server.image())).as("after writing 16 MiB").isGreaterThanOrEqualTo(16 * MIB);

            qemuIo(server, "discard 0 8M");
            long afterDiscard = allocatedBytes(server.image());
            assertThat(afterDiscard).as("after discarding 8 MiB (UNMAP)").isLessThanOrEqualTo(8 * MIB + MIB);

            qemuIo(server, "write -z -u 8M 8M");
            assertThat(allocatedBytes(server.image())).as("after write -z -u of the other 8 MiB (WRITE SAME UNMAP)")
                    .isLessThan(MIB);

            qemuIo(server, "read -P 0 0 16M");
            qemuIo(server, "write -P 0x33 32M 1M", "read -P 0x33 32M 1M", "read -P 0 31M 1M");

            String map = Tools.runOk(QEMU_TIMEOUT, cmd("qemu-img", "map", "-f", "raw", "--output=json", server.url()));
            assertThat(map).as(map)
                    .containsPattern("\"start\": 0, \"length\": 33554432, [^}]*\"data\": false")
                    .containsPattern("\"start\": 33554432, \"length\": 1048576, [^}]*\"data\": true");
        }
    }

    /** Runs qemu-io commands on LUN 0; it exits 0 even when a command fails, so its output is checked. */
    private static void qemuIo(PlatterProcess server, String... commands) {
        List<String> c = cmd("qemu-io", "-f", "raw");
        for (String command : commands) {
            c.add("-c");
            c.add(command);
        }
        c.add(server.url());
        String out = Tools.runOk(QEMU_TIMEOUT, c);
        assertThat(out).as(out)
                .doesNotContain("verification failed")
                .doesNotContainPattern("(?i)(read|write|discard) failed")
                .doesNotContainIgnoringCase("not supported")
                .doesNotContainIgnoringCase("mismatch");
        for (String command : commands) {
            String verb = switch (command.split(" ")[0]) {
                case "write" -> "wrote";
                case "discard" -> "discard";
                default -> "read";
            };
            assertThat(out).as(out).contains(verb + " ");
        }
    }

    private static long allocatedBytes(Path file) {
        String[] f = Tools.runOk("stat", "-c", "%b %B", file.toString()).trim().split("\\s+");
        return Long.parseLong(f[0]) * Long.parseLong(f[1]);
    }
}
