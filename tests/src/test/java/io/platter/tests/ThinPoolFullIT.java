package io.platter.tests;

import static io.platter.tests.support.Tools.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.RawScsiSession;
import io.platter.tests.support.Tools;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A thin pool that runs out of space (DESIGN.md "Thin pools are over-provisioned on purpose"):
 * the daemon's data directory is a 48 MiB tmpfs holding a 256 GiB thin qcow2 volume, a 1 GiB thin
 * raw volume and a small volume with known data. Writes fill it through iSCSI until they fail.
 * On the way up the soft threshold raises THIN PROVISIONING SOFT THRESHOLD REACHED (SBC-4
 * §4.7.3.7); a write that finds no space gets DATA PROTECT, SPACE ALLOCATION FAILED WRITE PROTECT
 * (SBC-4 §4.7.3.6); the daemon, the other volume and every acknowledged write stay intact, and
 * deleting a volume makes writes succeed again. Runs as root (it mounts the tmpfs).
 */
@Timeout(600)
class ThinPoolFullIT {

    private static final Duration QEMU = Duration.ofMinutes(2);
    private static final String IQN = PlatterProcess.IQN;
    private static final String POOL_SIZE = "48m";
    private static final int THRESHOLD_PERCENT = 40;
    /** Writes are one 8 KiB PDU of immediate data. */
    private static final int WRITE = 8192;
    /**
     * Raw writes go one per 64 KiB; qcow2 writes one per 512 MiB + 64 KiB, so each needs a new L2
     * table (64 KiB clusters map 512 MiB per table) as well as a data cluster, and the pool runs out
     * in metadata allocation as well as in data allocation.
     */
    private static final long RAW_STRIDE = 64 * 1024;
    private static final long QCOW2_STRIDE = (512L << 20) + 64 * 1024;
    private static final int BLOCK = 512;
    private static final String SPACE_ALLOCATION_FAILED = "7/27/07";
    private static final String SOFT_THRESHOLD_REACHED = "6/38/07";

    @Test
    void fullPoolFailsWritesWithSpaceAllocationFailedAndRecovers() throws Exception {
        String name = "ThinPoolFullIT";
        Path mount = PlatterProcess.moduleDir().resolve("target/it").resolve(name).resolve("data");
        Tools.run("umount", "-l", mount.toString());
        try (PlatterProcess server = PlatterProcess.startWithCatalog(name, (port, dataDir) -> {
            Tools.runOk("mount", "-t", "tmpfs", "-o", "size=" + POOL_SIZE, "tmpfs", dataDir.toString());
            return config(port, dataDir);
        })) {
            server.cliOk("volume", "create", "small", "--size", "4M", "--format", "raw", "--target", IQN, "--lun", "3");
            Tools.runOk(QEMU, cmd("qemu-io", "-f", "raw", "-c", "write -P 0x5a 0 4M", server.url(3)));
            server.cliOk("volume", "create", "bigq", "--size", "256G", "--target", IQN, "--lun", "1");
            server.cliOk("volume", "create", "bigr", "--size", "1G", "--format", "raw", "--target", IQN, "--lun", "2");
            // bigr holds 12 MiB (25% of the pool, under the threshold) that its delete gives back.
            Tools.runOk(QEMU, cmd("qemu-io", "-f", "raw", "-c", "write -P 0x11 512M 12M", server.url(2)));

            try (RawScsiSession s = RawScsiSession.login(server.port(), "iqn.2026-11.io.platter:pool-it", IQN)) {
                for (int lun = 0; lun <= 3; lun++) {
                    takeUnitAttentions(s, lun);
                }
                Fill q = fill(s, 1, QCOW2_STRIDE, server.dataDir());
                assertThat(q.softThresholdSeenAt).as("soft threshold UA raised before the pool was full")
                        .isBetween(1, q.acknowledged - 1);
                assertThat(q.failure).as("the qcow2 write that found no space").isEqualTo(SPACE_ALLOCATION_FAILED);
                Fill r = fill(s, 2, RAW_STRIDE, server.dataDir());
                assertThat(r.failure).as("the raw thin write into a hole that found no space")
                        .isEqualTo(SPACE_ALLOCATION_FAILED);
                assertThat(server.isAlive()).as("daemon up with a full pool").isTrue();

                // Acknowledged writes read back; overwriting an allocated cluster needs no space.
                assertAcknowledged(s, 1, QCOW2_STRIDE, q.acknowledged);
                assertAcknowledged(s, 2, RAW_STRIDE, r.acknowledged);
                assertThat(write(s, 1, 0, 0xEE).senseCode()).as("overwrite of an allocated qcow2 cluster").isEmpty();
                assertThat(read(s, 1, 0)).as("overwritten cluster").containsOnly((byte) 0xEE);
                // Still full: refused the same way, unless the image already holds the file pages it
                // needs (a cluster an earlier failed allocation left written but unreferenced).
                assertThat(write(s, 1, q.acknowledged * QCOW2_STRIDE, 1).senseCode())
                        .as("an allocating write on the full pool").isIn("", SPACE_ALLOCATION_FAILED);
                String small = Tools.runOk(QEMU, cmd("qemu-io", "-f", "raw", "-c", "read -P 0x5a 0 4M", server.url(3)));
                assertThat(small).contains("read ").doesNotContain("verification failed");

                // Deleting a volume frees space: the refused write now succeeds, and so do more.
                server.cliOk("volume", "delete", "bigr", "--force");
                for (int i = q.acknowledged; i < q.acknowledged + 16; i++) {
                    RawScsiSession.Result w = write(s, 1, i * QCOW2_STRIDE, pattern(i));
                    // REPORTED LUNS DATA HAS CHANGED (the unmap) or the soft threshold again.
                    for (int ua = 0; ua < 4 && w.senseCode().startsWith("6/"); ua++) {
                        w = write(s, 1, i * QCOW2_STRIDE, pattern(i));
                    }
                    assertThat(w.status()).as("write %d after the delete: %s", i, w.senseCode()).isZero();
                }
                assertAcknowledged(s, 1, QCOW2_STRIDE, q.acknowledged + 16);
            }
            server.stop();
            Path image = server.dataDir().resolve("bigq.qcow2");
            Tools.Result check = Tools.run(QEMU, cmd("qemu-img", "check", image));
            assertThat(check.exitCode()).as(check.output()).isIn(0, 3);
            assertThat(check.output()).doesNotContain("ERROR");
            assertThat(Files.readString(server.log())).contains("soft threshold");
        } finally {
            Tools.run("umount", mount.toString());
        }
    }

    private static String config(int port, Path dataDir) {
        return """
                server:
                  portals: ["127.0.0.1:%d"]
                  data-dir: %s
                  thin-threshold: %d
                targets:
                  - iqn: %s
                    luns:
                      - id: 0
                        image: lun0.img
                        size: 1M
                        provisioning: thin
                """.formatted(port, dataDir.toAbsolutePath(), THRESHOLD_PERCENT, IQN);
    }

    /** How a fill went: writes acknowledged, the index at which the soft threshold UA came, the failing sense. */
    private static final class Fill {
        int acknowledged;
        int softThresholdSeenAt = -1;
        String failure;
    }

    /**
     * Writes 8 KiB at every 64 KiB of {@code lun} until a write fails. Unit attentions on the way
     * are taken and the write retried; once the pool is past the threshold the fill waits (at most
     * 15 s, the pool is checked every 5 s) for the soft threshold unit attention before going on.
     */
    private static Fill fill(RawScsiSession s, int lun, long stride, Path dataDir) throws IOException, InterruptedException {
        Fill f = new Fill();
        FileStore store = Files.getFileStore(dataDir);
        for (int i = 0; i < 1_000_000; i++) {
            RawScsiSession.Result w = write(s, lun, i * stride, pattern(i));
            while (w.status() == RawScsiSession.CHECK_CONDITION && w.senseCode().startsWith("6/")) {
                noteUnitAttention(f, w.senseCode(), i);
                w = write(s, lun, i * stride, pattern(i));
            }
            if (w.status() != RawScsiSession.GOOD) {
                f.failure = w.senseCode();
                return f;
            }
            f.acknowledged = i + 1;
            long used = store.getTotalSpace() - store.getUnallocatedSpace();
            if (lun == 1 && f.softThresholdSeenAt < 0 && used * 100 >= (THRESHOLD_PERCENT + 5) * store.getTotalSpace()) {
                long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                while (f.softThresholdSeenAt < 0 && System.nanoTime() < deadline) {
                    RawScsiSession.Result t = s.command(lun, new byte[6], null, 0);
                    if (t.status() == RawScsiSession.CHECK_CONDITION) {
                        noteUnitAttention(f, t.senseCode(), f.acknowledged);
                    } else {
                        Thread.sleep(200);
                    }
                }
                assertThat(f.softThresholdSeenAt).as("soft threshold UA within 15 s at %d%% used",
                        used * 100 / store.getTotalSpace()).isPositive();
            }
        }
        throw new AssertionError("a 48 MiB pool never filled up");
    }

    private static void noteUnitAttention(Fill f, String code, int at) {
        assertThat(code).as("unit attention while filling").isEqualTo(SOFT_THRESHOLD_REACHED);
        if (f.softThresholdSeenAt < 0) {
            f.softThresholdSeenAt = at;
        }
    }

    private static void assertAcknowledged(RawScsiSession s, int lun, long stride, int count) throws IOException {
        for (int i = 1; i < count; i++) {   // slot 0 is overwritten by the test
            byte[] data = read(s, lun, i * stride);
            if (data.length != WRITE || data[0] != (byte) pattern(i) || data[WRITE - 1] != (byte) pattern(i)) {
                byte[] want = new byte[WRITE];
                Arrays.fill(want, (byte) pattern(i));
                assertThat(data).as("LUN %d write %d of %d", lun, i, count).isEqualTo(want);
            }
        }
    }

    private static int pattern(int i) {
        return 1 + i % 251;
    }

    private static void takeUnitAttentions(RawScsiSession s, int lun) throws IOException {
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            RawScsiSession.Result r = s.command(lun, new byte[6], null, 0);
            if (r.status() == RawScsiSession.GOOD) {
                return;
            }
            taken.add(r.senseCode());
        }
        throw new AssertionError("LUN " + lun + " unit attentions do not end: " + taken);
    }

    /** WRITE (10) (SBC-4 §5.35) of 8 KiB of {@code pattern} at byte {@code offset}. */
    private static RawScsiSession.Result write(RawScsiSession s, int lun, long offset, int pattern) throws IOException {
        byte[] data = new byte[WRITE];
        Arrays.fill(data, (byte) pattern);
        return s.command(lun, cdb10(0x2A, offset), data, 0);
    }

    /** READ (10) (SBC-4 §5.16) of 8 KiB at byte {@code offset}. */
    private static byte[] read(RawScsiSession s, int lun, long offset) throws IOException {
        RawScsiSession.Result r = s.command(lun, cdb10(0x28, offset), null, WRITE);
        assertThat(r.status()).as("READ (10) at %d: %s", offset, r.senseCode()).isZero();
        return r.data();
    }

    private static byte[] cdb10(int opcode, long offset) {
        ByteBuffer b = ByteBuffer.allocate(10);
        b.put(0, (byte) opcode);
        b.putInt(2, (int) (offset / BLOCK));
        b.putShort(7, (short) (WRITE / BLOCK));
        return b.array();
    }
}
