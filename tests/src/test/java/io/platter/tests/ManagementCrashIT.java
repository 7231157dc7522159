package io.platter.tests;

import static io.platter.tests.support.Tools.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.config.LunConfig;
import io.platter.config.PlatterConfig;
import io.platter.config.catalog.FileCatalog;
import io.platter.config.TargetConfig;
import io.platter.config.VolumeConfig;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGKILL during volume management: each round starts a write stream on the qcow2 volume
 * {@code busy} and sends a series of management API calls, the ones the CLI makes (volume create,
 * snapshot create on {@code busy}, resize of {@code busy}, volume delete, lun unmap), kills the
 * daemon within 60 ms of sending one of them (a different one each round), and restarts it on the same data directory and config. (The API is
 * called directly: a CLI start takes a JVM start, longer than the operations, so kills would
 * always land before them.) Every call acknowledged before the kill is in the config; the daemon
 * starts (the config loads, every configured image opens), {@code qemu-img check} finds no
 * corruption, every snapshot listed reads back, and no configured LUN or volume lacks its image;
 * an image the config does not name is a leftover the daemon reports in its log. An unmapped
 * {@code busy} is mapped again after the round.
 *
 * <p>Four rounds by default; {@code -Dplatter.mgmt.crash.rounds=40} for a long run.
 */
@Timeout(3600)
class ManagementCrashIT {

    private static final int ROUNDS = Integer.getInteger("platter.mgmt.crash.rounds", 4);
    private static final Duration QEMU = Duration.ofMinutes(3);
    private static final String IQN = PlatterProcess.IQN;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void killedDuringManagementTheDaemonRestartsConsistent() throws Exception {
        Random random = new Random(Long.getLong("platter.mgmt.crash.seed", 0x5EEDL));
        int interrupted = 0;
        try (PlatterProcess server = PlatterProcess.start("ManagementCrashIT", "16M")) {
            server.cliOk("volume", "create", "busy", "--size", "128M", "--target", IQN, "--lun", "1");
            // A leftover for certain: the first restart must report it and start regardless.
            Files.write(server.dataDir().resolve("stray.img"), new byte[4096]);
            long busySize = 128;
            for (int round = 0; round < ROUNDS; round++) {
                List<Op> ops = operations(round, busySize);
                Process stream = startStream(server, random, round);
                List<Op> done = new CopyOnWriteArrayList<>();
                List<String> refused = new CopyOnWriteArrayList<>();
                // The kill lands in (or just after) operation k: k rotates over the round's operations.
                int k = round % ops.size();
                CountDownLatch reached = new CountDownLatch(1);
                Thread runner = new Thread(() -> run(server, ops, k, reached, done, refused), "ops-" + round);
                try {
                    Thread.sleep(300);   // the stream is writing
                    runner.start();
                    reached.await(60, TimeUnit.SECONDS);
                    Thread.sleep(random.nextInt(60));
                    server.kill();
                } finally {
                    stream.destroyForcibly();
                    stream.waitFor(10, TimeUnit.SECONDS);
                    runner.join(30_000);
                }
                interrupted += done.size() < ops.size() ? 1 : 0;
                String what = "round " + round + " (done: " + done + " of " + ops + ")";
                assertThat(refused).as("%s: operations the daemon refused", what).isEmpty();
                PlatterConfig config = FileCatalog.of(server.dataDir()).load().objects();
                assertEveryImagePresent(config, what);
                assertAcknowledgedPersisted(config, done, what);
                for (Path image : images(server.dataDir(), ".qcow2")) {
                    assertCheckClean(image, what);
                }
                server.startAgain();
                assertThat(server.cliOk("volume", "list")).as(what).contains("busy");
                assertSnapshotsReadable(server, config, what);
                assertLeftoversReported(server, config, what);
                if (!server.cliOk("volume", "show", "busy").contains(IQN)) {
                    server.cliOk("lun", "map", IQN, "busy", "--lun", "1");   // after an unmap round
                }
                busySize = virtualSizeMiB(server.dataDir().resolve("busy.qcow2"));
            }
        }
        assertThat(interrupted).as("rounds killed before all their operations were acknowledged").isPositive();
    }

    /** One management API call (what one {@code platter} command sends). */
    private record Op(String path, Map<String, Object> args) {
        @Override
        public String toString() {
            return path + args;
        }
    }

    /** The operations of a round, sent one after the other: volumes v0, v1, ... come and go. */
    private static List<Op> operations(int round, long busySize) {
        List<Op> ops = new ArrayList<>();
        ops.add(new Op("volume/create", Map.of("name", "v" + round, "size", "32M", "target", IQN)));
        ops.add(new Op("snapshot/create", Map.of("volume", "busy", "name", "s" + round)));
        ops.add(new Op("volume/resize", Map.of("name", "busy", "size", (busySize + 16) + "M")));
        if (round >= 1) {
            ops.add(new Op("volume/delete", Map.of("name", "v" + (round - 1), "force", true)));
        }
        ops.add(new Op(round % 2 == 0 ? "lun/unmap" : "volume/create",
                round % 2 == 0 ? Map.of("target", IQN, "lun", 1) : Map.of("name", "w" + round, "size", "8M",
                        "format", "raw")));
        return ops;
    }

    /**
     * Sends {@code ops} in order until one fails (the daemon was killed); those answered 200 go to
     * {@code done}. Counts {@code reached} down as operation {@code k} is sent.
     */
    private static void run(PlatterProcess server, List<Op> ops, int k, CountDownLatch reached, List<Op> done,
                            List<String> refused) {
        try {
            ApiEndpoint api = ApiEndpoint.read(server.dataDir());
            for (Op op : ops) {
                if (done.size() == k) {
                    reached.countDown();
                }
                HttpRequest request = HttpRequest.newBuilder(URI.create(api.url() + "v1/" + op.path()))
                        .header("Authorization", "Bearer " + api.token())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json(op.args())))
                        .timeout(Duration.ofSeconds(60))
                        .build();
                HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    refused.add(op + ": HTTP " + r.statusCode() + " " + r.body());
                    return;
                }
                done.add(op);
            }
        } catch (IOException | InterruptedException e) {
            // the daemon died under the request
        } finally {
            reached.countDown();
        }
    }

    private static long virtualSizeMiB(Path image) {
        String info = Tools.runOk(QEMU, cmd("qemu-img", "info", "-U", "--output=json", image));
        Matcher m = Pattern.compile("\"virtual-size\": (\\d+)").matcher(info);
        assertThat(m.find()).as(info).isTrue();
        return Long.parseLong(m.group(1)) >> 20;
    }

    /** A flat JSON object of strings, numbers and booleans. */
    private static String json(Map<String, Object> args) {
        StringBuilder b = new StringBuilder("{");
        args.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":")
                .append(v instanceof String ? "\"" + v + "\"" : String.valueOf(v)));
        return b.append('}').toString();
    }

    /** An operation the API acknowledged before the kill is in the config the daemon restarts from. */
    private static void assertAcknowledgedPersisted(PlatterConfig config, List<Op> done, String what) {
        for (Op op : done) {
            Object name = op.args().get("name");
            switch (op.path()) {
                case "volume/create" -> assertThat(config.volume((String) name)).as("%s: %s", what, op).isPresent();
                case "volume/delete" -> assertThat(config.volume((String) name)).as("%s: %s", what, op).isEmpty();
                case "lun/unmap" -> assertThat(config.targets().get(0).luns()).as("%s: %s", what, op)
                        .noneMatch(l -> l.id() == 1);
                default -> { }
            }
        }
    }

    /** qemu-io writing to {@code busy} (LUN 1) without flushes; killed, not awaited. */
    private static Process startStream(PlatterProcess server, Random random, int round) throws IOException {
        List<String> c = cmd("qemu-io", "-f", "raw");
        for (int i = 0; i < 1000; i++) {
            long offset = random.nextLong(120L << 20) & ~511L;
            c.add("-c");
            c.add("aio_write -P " + (1 + (round + i) % 255) + " " + offset + " " + (1 + random.nextInt(64)) * 512);
        }
        c.add(server.url(1));
        return new ProcessBuilder(c).redirectErrorStream(true)
                .redirectOutput(server.workDir().resolve("stream-" + round + ".log").toFile()).start();
    }

    private static void assertEveryImagePresent(PlatterConfig config, String what) {
        for (TargetConfig t : config.targets()) {
            for (LunConfig l : t.luns()) {
                assertThat(l.image()).as("%s: LUN %d of %s", what, l.id(), t.iqn()).exists();
            }
        }
        for (VolumeConfig v : config.volumes()) {
            assertThat(v.image()).as("%s: volume %s", what, v.name()).exists();
        }
    }

    /** qemu-img check exits 0 or 3 (leaks only) with no ERROR line. */
    private static void assertCheckClean(Path image, String what) {
        Tools.Result r = Tools.run(QEMU, cmd("qemu-img", "check", "-U", image));
        assertThat(r.exitCode()).as("%s: %s\n%s", what, image, r.output()).isIn(0, 3);
        assertThat(r.output()).as(what).doesNotContain("ERROR");
    }

    /** Every snapshot the daemon lists for a qcow2 volume converts (is readable) with qemu-img. */
    private static void assertSnapshotsReadable(PlatterProcess server, PlatterConfig config, String what)
            throws IOException {
        for (VolumeConfig v : config.volumes()) {
            if (!v.image().toString().endsWith(".qcow2")) {
                continue;
            }
            String listed = server.cliOk("snapshot", "list", v.name());
            String qemu = Tools.runOk(QEMU, cmd("qemu-img", "snapshot", "-l", "-U", v.image()));
            Matcher m = Pattern.compile("\\bs\\d+\\b").matcher(listed);
            while (m.find()) {
                String name = m.group();
                assertThat(qemu).as("%s: qemu-img lists %s", what, name).containsPattern("\\b" + name + "\\b");
                Path raw = server.workDir().resolve(name + ".raw");
                try {
                    Tools.runOk(QEMU, cmd("qemu-img", "convert", "-U", "-f", "qcow2", "-O", "raw", "-l",
                            "snapshot.name=" + name, v.image(), raw));
                } finally {
                    Files.deleteIfExists(raw);
                }
            }
        }
    }

    /** Images in the data directory the config does not name are in the new log as leftovers. */
    private static void assertLeftoversReported(PlatterProcess server, PlatterConfig config, String what)
            throws IOException {
        List<Path> named = new ArrayList<>();
        config.targets().forEach(t -> t.luns().forEach(l -> named.add(l.image().toAbsolutePath().normalize())));
        config.volumes().forEach(v -> named.add(v.image().toAbsolutePath().normalize()));
        String log = Files.readString(server.log());
        for (Path image : images(server.dataDir(), "")) {
            if (!named.contains(image.toAbsolutePath().normalize())) {
                assertThat(log).as("%s: leftover %s reported", what, image.getFileName())
                        .contains(image.getFileName() + " in " + server.dataDir());
            }
        }
    }

    private static List<Path> images(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> {
                String n = f.getFileName().toString();
                return (n.endsWith(".qcow2") || n.endsWith(".img")) && n.endsWith(suffix);
            }).sorted().toList();
        }
    }
}
