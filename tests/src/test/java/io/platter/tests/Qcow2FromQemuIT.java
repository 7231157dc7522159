package io.platter.tests;

import static io.platter.tests.support.Tools.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.Tools;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Images that QEMU made are served as LUNs and read back through iscsi:// exactly as QEMU reads
 * them (qcow2 issue, interop acceptance): 4 KiB and 2 MiB clusters, compressed clusters
 * ({@code convert -c}), version 2 ({@code compat=0.10}), internal snapshots with later writes, and
 * an overlay on a qcow2 backing file. QEMU is the oracle: each image's expected contents are
 * {@code qemu-img convert -O raw} of it, taken before the daemon opens it. Then writes through
 * iSCSI land on compressed clusters and on backing-file clusters (both allocate normal clusters,
 * copy-on-write), and after a clean stop {@code qemu-img check} is clean and QEMU reads what the
 * initiator wrote.
 */
@Timeout(900)
class Qcow2FromQemuIT {

    private static final long MIB = 1L << 20;
    private static final long SIZE = 24 * MIB;
    private static final Duration QEMU_TIMEOUT = Duration.ofMinutes(3);

    /** One LUN: an image QEMU made and how. */
    private record Case(String name, List<List<String>> make) { }

    @Test
    void qemuMadeImagesReadBackIdenticallyAndTakeWrites() throws IOException {
        Path made = PlatterProcess.moduleDir().resolve("target/it/Qcow2FromQemuIT-images");
        Path dir = made;
        Tools.runOk("rm", "-rf", dir.toString());
        Files.createDirectories(dir);
        Path src = dir.resolve("source.raw");
        writeSource(src);

        List<Case> cases = List.of(
                new Case("c4k", List.of(convert(src, dir, "c4k", "cluster_size=4096"))),
                new Case("c2m", List.of(convert(src, dir, "c2m", "cluster_size=2M"))),
                new Case("v2", List.of(convert(src, dir, "v2", "compat=0.10"))),
                new Case("compressed", List.of(cmd("qemu-img", "convert", "-c", "-f", "raw", "-O", "qcow2",
                        src, dir.resolve("compressed.qcow2")))),
                new Case("snapshots", List.of(convert(src, dir, "snapshots", "cluster_size=65536"),
                        cmd("qemu-img", "snapshot", "-c", "before", dir.resolve("snapshots.qcow2")),
                        qemuIo(dir.resolve("snapshots.qcow2"), "write -P 0x77 1M 3M"),
                        cmd("qemu-img", "snapshot", "-c", "after", dir.resolve("snapshots.qcow2")),
                        qemuIo(dir.resolve("snapshots.qcow2"), "write -z 8M 2M"))),
                new Case("overlay", List.of(convert(src, dir, "base", "cluster_size=65536"),
                        cmd("qemu-img", "create", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2",
                                dir.resolve("overlay.qcow2")),
                        qemuIo(dir.resolve("overlay.qcow2"), "write -P 0x42 4M 100k"))));
        for (Case c : cases) {
            for (List<String> step : c.make()) {
                Tools.runOk(QEMU_TIMEOUT, step);
            }
            Tools.runOk(QEMU_TIMEOUT, cmd("qemu-img", "convert", "-f", "qcow2", "-O", "raw",
                    image(dir, c), expected(dir, c)));
        }
        assertThat(Tools.runOk(QEMU_TIMEOUT, cmd("qemu-img", "map", "--output=json", image(dir, cases.get(3)))))
                .as("convert -c made compressed clusters (data without a host offset)").contains("\"data\": true}");
        assertThat(Tools.runOk(QEMU_TIMEOUT, cmd("qemu-img", "snapshot", "-l", image(dir, cases.get(4)))))
                .contains("before").contains("after");

        // The daemon follows backing files inside its data directory only: the images move there.
        Path[] moved = new Path[1];
        try (PlatterProcess server = PlatterProcess.start("Qcow2FromQemuIT", (port, data) -> {
            moved[0] = moveInto(made, data.resolve("images"));
            return config(port, data, moved[0], cases);
        })) {
            dir = moved[0];
            for (int lun = 0; lun < cases.size(); lun++) {
                assertIdentical(expected(dir, cases.get(lun)), server.url(lun));
            }
            // Writes into compressed clusters and into clusters the overlay reads from its backing file.
            int compressed = 3;
            int overlay = 5;
            for (int lun : new int[] {compressed, overlay}) {
                Tools.runOk(QEMU_TIMEOUT, cmd("qemu-io", "-f", "raw", "-c", "write -P 0x5c 65024 8k",
                        "-c", "write -P 0x6d 6M 1M", server.url(lun)));
                for (String patch : List.of("write -P 0x5c 65024 8k", "write -P 0x6d 6M 1M")) {
                    Tools.runOk(QEMU_TIMEOUT, qemuIoRaw(expected(dir, cases.get(lun)), patch));
                }
                assertIdentical(expected(dir, cases.get(lun)), server.url(lun));
            }
            server.stop();
            for (Case c : cases) {
                Tools.Result check = Tools.run(QEMU_TIMEOUT, cmd("qemu-img", "check", image(dir, c)));
                assertThat(check.ok()).as(c.name() + ": " + check.describe()).isTrue();
                String compare = Tools.runOk(QEMU_TIMEOUT, cmd("qemu-img", "compare", "-f", "raw", "-F", "qcow2",
                        expected(dir, c), image(dir, c)));
                assertThat(compare).as(c.name()).contains("Images are identical");
            }
            assertThat(Tools.runOk(QEMU_TIMEOUT, cmd("qemu-img", "snapshot", "-l", image(dir, cases.get(4)))))
                    .as("snapshots survive serving").contains("before").contains("after");
        }
    }

    private static String config(int port, Path data, Path dir, List<Case> cases) {
        StringBuilder luns = new StringBuilder();
        for (int lun = 0; lun < cases.size(); lun++) {
            luns.append("""
                          - id: %d
                            image: %s
                            format: qcow2
                            provisioning: thin
                    """.formatted(lun, image(dir, cases.get(lun))));
        }
        return PlatterProcess.targetYaml(port, data, luns.toString());
    }

    private static void assertIdentical(Path expected, String url) {
        String out = Tools.runOk(QEMU_TIMEOUT, cmd("qemu-img", "compare", "-f", "raw", "-F", "raw", expected, url));
        assertThat(out).as(url).contains("Images are identical");
    }

    private static List<String> convert(Path src, Path dir, String name, String options) {
        return cmd("qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-o", options, src, dir.resolve(name + ".qcow2"));
    }

    private static List<String> qemuIo(Path image, String command) {
        return cmd("qemu-io", "-f", "qcow2", "-c", command, image);
    }

    private static Path moveInto(Path from, Path to) {
        try {
            return Files.move(from, to);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> qemuIoRaw(Path image, String command) {
        return cmd("qemu-io", "-f", "raw", "-c", command, image);
    }

    private static Path image(Path dir, Case c) {
        return dir.resolve(c.name() + ".qcow2");
    }

    private static Path expected(Path dir, Case c) {
        return dir.resolve(c.name() + ".expected.raw");
    }

    /** Random data with zero stretches (they stay unallocated or zero clusters) and text that compresses. */
    private static void writeSource(Path file) {
        Random random = new Random(0x9C0DL);
        byte[] chunk = new byte[(int) MIB];
        try (OutputStream out = Files.newOutputStream(file)) {
            List<Integer> zeroMiBs = new ArrayList<>(List.of(2, 3, 10, 17));
            for (int mib = 0; mib < SIZE / MIB; mib++) {
                if (zeroMiBs.contains(mib)) {
                    java.util.Arrays.fill(chunk, (byte) 0);
                } else if (mib % 5 == 0) {
                    byte[] text = ("platter sector " + mib + " ").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    for (int i = 0; i < chunk.length; i++) {
                        chunk[i] = text[i % text.length];
                    }
                } else {
                    random.nextBytes(chunk);
                }
                out.write(chunk);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
