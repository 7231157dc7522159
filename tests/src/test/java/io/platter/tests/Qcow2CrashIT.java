package io.platter.tests;

import static io.platter.tests.support.Tools.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.lun.qcow2.Qcow2Check;
import io.platter.server.manage.ApiEndpoint;
import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.Tools;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Crash consistency of a qcow2 LUN: each round makes flushed writes (SYNCHRONIZE CACHE acknowledged),
 * then starts a stream of allocating and copy-on-write writes and kills the daemon with SIGKILL in
 * the middle of it. After every kill, {@code qemu-img check} finds no corruption (leaked clusters are
 * allowed; Platter's own check counts the same leaks) and, after a restart, every flushed write of
 * every round reads back. Every other round an internal snapshot is taken with qemu-img while the
 * daemon is down, so later writes copy clusters shared with a snapshot. Every third round (from the
 * first) kills the daemon while a snapshot is taken online (the management API's {@code snapshot/create},
 * what {@code platter snapshot create} calls) under the write stream:
 * the snapshot is then either absent or fully there (listed by {@code qemu-img snapshot -l} and by
 * the restarted daemon, and holding every write flushed before it).
 * Taking a snapshot switches over in one header write, so a kill inside it leaves no OFLAG_COPIED
 * mismatch either.
 *
 * <p>Three rounds by default; {@code -Dplatter.crash.rounds=50} for the long variant (README).
 */
@Timeout(3600)
class Qcow2CrashIT {

    private static final long MIB = 1L << 20;
    private static final int ROUNDS = Integer.getInteger("platter.crash.rounds", 3);
    /** Flushed writes go to slots in the first 64 MiB; the in-flight stream writes above it. */
    private static final long SLOT = 512 * 1024;
    private static final int SLOTS = (int) (64 * MIB / SLOT);
    private static final long SCRATCH_START = 64 * MIB;
    private static final long SCRATCH_END = 256 * MIB;
    private static final Duration QEMU_TIMEOUT = Duration.ofMinutes(5);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern LEAKS = Pattern.compile("(\\d+) leaked clusters? were found");

    /** A write acknowledged by a flush: offset, length, byte pattern. */
    private record Flushed(long offset, int length, int pattern) { }

    @Test
    void everyRoundChecksCleanAndKeepsFlushedWrites() throws Exception {
        Random random = new Random(0xC4A5L);
        Map<Integer, Flushed> flushed = new TreeMap<>();
        int killedMidStream = 0;
        int onlineSnapshotsKept = 0;
        int onlineSnapshotsLost = 0;
        try (PlatterProcess server = PlatterProcess.start("Qcow2CrashIT", Qcow2CrashIT::config)) {
            Path image = server.dataDir().resolve("lun0.qcow2");
            for (int round = 0; round < ROUNDS; round++) {
                int slot = round % SLOTS;
                Flushed w = new Flushed(slot * SLOT + 4096L * (round % 7), 100 * 1024 + 512 * (round % 5),
                        1 + (round * 37) % 255);
                qemuIo(server, "write -P " + w.pattern() + " " + w.offset() + " " + w.length(), "flush");
                flushed.put(slot, w);

                long sizeBefore = Files.size(image);
                Process stream = startStream(server, random, round);
                boolean online = round % 3 == 0;
                CompletableFuture<HttpResponse<String>> snapshot = null;
                try {
                    waitForGrowth(image, sizeBefore);
                    if (online) {
                        // A snapshot under load takes some hundred milliseconds (fsyncs): kill before, inside or after.
                        snapshot = startSnapshot(server, "online" + round);
                        Thread.sleep(random.nextInt(1500));
                    } else {
                        Thread.sleep(random.nextInt(400));
                    }
                    if (stream.isAlive() && Files.size(image) > sizeBefore) {
                        killedMidStream++;
                    }
                    server.kill();
                } finally {
                    stream.destroyForcibly();
                    stream.waitFor(10, TimeUnit.SECONDS);
                    if (snapshot != null) {
                        snapshot.cancel(true);
                    }
                }

                long leaks = assertNoCorruption(image, round);
                assertThat(Qcow2Check.check(image).leaks()).as("round %d: Platter's check finds qemu-img's leaks", round)
                        .isEqualTo(leaks);
                if (round % 2 == 1) {
                    Tools.runOk(QEMU_TIMEOUT, cmd("qemu-img", "snapshot", "-c", "round" + round, image));
                }
                if (round % 3 == 2 && leaks > 0) {
                    assertThat(Qcow2Check.repairLeaks(image).after().clean()).as("round %d: repaired", round).isTrue();
                }
                boolean kept = online && assertSnapshotWholeOrAbsent(server, image, "online" + round, flushed.values());
                onlineSnapshotsKept += kept ? 1 : 0;
                onlineSnapshotsLost += online && !kept ? 1 : 0;
                server.startAgain();
                assertFlushedWritesPresent(server, flushed.values(), round);
                if (online) {
                    assertThat(server.cliOk("snapshot", "list", "lun0")).as("round %d: the daemon lists it", round)
                            .matches(kept ? "(?s).*\\bonline" + round + "\\b.*" : "(?s)(?!.*\\bonline" + round + "\\b).*");
                }
            }
        }
        assertThat(killedMidStream).as("rounds killed while the write stream was allocating").isPositive();
        System.out.printf("Qcow2CrashIT: %d online snapshot(s) survived the kill, %d did not%n",
                onlineSnapshotsKept, onlineSnapshotsLost);
    }

    /** The test target's LUN 0: a 256 MiB qcow2 image that is also the volume {@code lun0}. */
    private static String config(int port, Path dataDir) {
        return """
                server:
                  portals: ["127.0.0.1:%d"]
                  data-dir: %s
                targets:
                  - iqn: %s
                    luns:
                      - id: 0
                        image: %s
                        size: 256M
                        format: qcow2
                        provisioning: thin
                volumes:
                  - name: lun0
                    image: %s
                    format: qcow2
                    provisioning: thin
                """.formatted(port, dataDir.toAbsolutePath(), PlatterProcess.IQN, dataDir.resolve("lun0.qcow2"),
                dataDir.resolve("lun0.qcow2"));
    }

    /**
     * Sends {@code snapshot/create} for volume lun0 to the daemon's management API (what {@code platter
     * snapshot create} does, without the CLI's JVM start, so the kill can land inside the snapshot).
     * The answer is not awaited: the daemon is killed under it.
     */
    private static CompletableFuture<HttpResponse<String>> startSnapshot(PlatterProcess server, String name)
            throws IOException {
        ApiEndpoint api = ApiEndpoint.read(server.dataDir());
        HttpRequest request = HttpRequest.newBuilder(URI.create(api.url() + "v1/snapshot/create"))
                .header("Authorization", "Bearer " + api.token())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"volume\":\"lun0\",\"name\":\"" + name + "\"}"))
                .build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    /**
     * After a kill during an online snapshot: either qemu-img does not list it, or it lists it and
     * the snapshot's content (converted to raw by qemu-img) holds every flushed write. Returns
     * whether it was there.
     */
    private static boolean assertSnapshotWholeOrAbsent(PlatterProcess server, Path image, String name,
                                                       Iterable<Flushed> writes) throws IOException {
        String list = Tools.runOk(QEMU_TIMEOUT, cmd("qemu-img", "snapshot", "-l", image));
        if (!Pattern.compile("\\b" + name + "\\b").matcher(list).find()) {
            return false;
        }
        Path raw = server.workDir().resolve(name + ".raw");
        Tools.runOk(QEMU_TIMEOUT, cmd("qemu-img", "convert", "-f", "qcow2", "-O", "raw", "-l", "snapshot.name=" + name,
                image, raw));
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(raw)) {
            for (Flushed w : writes) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(w.length());
                ch.read(b, w.offset());
                byte[] want = new byte[w.length()];
                java.util.Arrays.fill(want, (byte) w.pattern());
                assertThat(b.array()).as("snapshot %s: flushed write %s", name, w).isEqualTo(want);
            }
        } finally {
            Files.deleteIfExists(raw);
        }
        return true;
    }

    /** Waits (at most 10 s) until the image file grows: the write stream is allocating clusters. */
    private static void waitForGrowth(Path image, long sizeBefore) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.size(image) <= sizeBefore && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /** Starts qemu-io writing random ranges of the scratch area, no flushes; it is killed, not awaited. */
    private static Process startStream(PlatterProcess server, Random random, int round) throws IOException {
        List<String> c = cmd("qemu-io", "-f", "raw");
        for (int i = 0; i < 2000; i++) {
            long offset = SCRATCH_START + (random.nextLong(SCRATCH_END - SCRATCH_START - MIB) & ~511L);
            int length = (1 + random.nextInt(256)) * 512;
            c.add("-c");
            c.add("aio_write -P " + (1 + (round + i) % 255) + " " + offset + " " + length);
        }
        c.add("-c");
        c.add("aio_flush");
        c.add(server.url());
        return new ProcessBuilder(c).redirectErrorStream(true)
                .redirectOutput(server.workDir().resolve("stream-" + round + ".log").toFile()).start();
    }

    /** qemu-img check exits 0 or 3 (leaks only) with no ERROR line; returns the number of leaks. */
    private static long assertNoCorruption(Path image, int round) {
        Tools.Result r = Tools.run(QEMU_TIMEOUT, cmd("qemu-img", "check", image));
        assertThat(r.exitCode()).as("round %d: %s", round, r.output()).isIn(0, 3);
        assertThat(r.output()).as("round %d", round).doesNotContain("ERROR");
        Matcher m = LEAKS.matcher(r.output());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static void assertFlushedWritesPresent(PlatterProcess server, Iterable<Flushed> writes, int round) {
        List<String> commands = new ArrayList<>();
        for (Flushed w : writes) {
            commands.add("read -P " + w.pattern() + " " + w.offset() + " " + w.length());
        }
        String out = qemuIo(server, commands.toArray(String[]::new));
        assertThat(out).as("round %d: flushed writes after the crash", round).doesNotContain("verification failed");
    }

    /** Runs qemu-io commands over iSCSI; it exits 0 even when {@code read -P} fails, so callers check the output. */
    private static String qemuIo(PlatterProcess server, String... commands) {
        List<String> c = cmd("qemu-io", "-f", "raw");
        for (String command : commands) {
            c.add("-c");
            c.add(command);
        }
        c.add(server.url());
        String out = Tools.runOk(QEMU_TIMEOUT, c);
        assertThat(out).as(out).doesNotContain("failed");
        return out;
    }
}
