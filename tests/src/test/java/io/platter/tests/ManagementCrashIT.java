package io.platter.tests;

import static io.platter.tests.support.Tools.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.config.ConfigLoader;
import io.platter.config.LunConfig;
import io.platter.config.PlatterConfig;
import io.platter.config.TargetConfig;
import io.platter.config.VolumeConfig;
import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGKILL while the CLI manages volumes: each round starts a write stream on the qcow2 volume
 * {@code busy} and one management command (volume create/resize/delete, lun map/unmap, snapshot
 * create on {@code busy}; an unmapped {@code busy} is mapped again after the round), kills the daemon at a random moment, and restarts it on the same data
 * directory and config. The daemon must start (the config loads, every configured image opens),
 * {@code qemu-img check} find no corruption, every snapshot listed read back, and no configured
 * LUN or volume lack its image; an image the config does not name is a leftover the daemon reports
 * in its log.
 *
 * <p>Four rounds by default; {@code -Dplatter.mgmt.crash.rounds=40} for a long run.
 */
@Timeout(3600)
class ManagementCrashIT {

    private static final int ROUNDS = Integer.getInteger("platter.mgmt.crash.rounds", 4);
    private static final Duration QEMU = Duration.ofMinutes(3);
    private static final String IQN = PlatterProcess.IQN;
    private static final Pattern COPIED_ONLY = Pattern.compile("^ERROR OFLAG_COPIED", Pattern.MULTILINE);

    @Test
    void killedDuringManagementTheDaemonRestartsConsistent() throws Exception {
        Random random = new Random(Long.getLong("platter.mgmt.crash.seed", 0x5EEDL));
        try (PlatterProcess server = PlatterProcess.start("ManagementCrashIT", "16M")) {
            server.cliOk("volume", "create", "busy", "--size", "128M", "--target", IQN, "--lun", "1");
            for (int round = 0; round < ROUNDS; round++) {
                List<String> op = operation(server, round);
                Process stream = startStream(server, random, round);
                Process cli = startCli(server, op, round);
                try {
                    // The CLI starts a JVM (a second or so) before it asks the daemon anything.
                    Thread.sleep(700 + random.nextInt(1600));
                    server.kill();
                } finally {
                    for (Process p : List.of(stream, cli)) {
                        p.destroyForcibly();
                        p.waitFor(10, TimeUnit.SECONDS);
                    }
                }
                String what = "round " + round + " (" + String.join(" ", op) + ")";
                PlatterConfig config = ConfigLoader.load(server.workDir().resolve("platter.yaml"));
                assertEveryImagePresent(config, what);
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
            }
        }
    }

    /** The management command of a round; volumes v0, v1, ... come and go. */
    private static List<String> operation(PlatterProcess server, int round) {
        String v = "v" + (round / 5);
        return switch (round % 5) {
            case 0 -> List.of("volume", "create", v, "--size", "32M", "--target", IQN, "--lun", String.valueOf(2 + round / 5));
            case 1 -> List.of("snapshot", "create", "busy", "s" + round);
            case 2 -> List.of("volume", "resize", "busy", "--size", (128 + 16 * (round / 5 + 1)) + "M");
            case 3 -> List.of("lun", "unmap", IQN, "1");
            default -> List.of("volume", "delete", "v" + (round / 5), "--force");
        };
    }

    private static Process startCli(PlatterProcess server, List<String> op, int round) throws IOException {
        List<String> c = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", Files.readString(server.workDir().resolve("classpath.txt")).trim(), "io.platter.server.Main"));
        c.addAll(op);
        c.addAll(List.of("--data-dir", server.dataDir().toString()));
        return new ProcessBuilder(c).redirectErrorStream(true)
                .redirectOutput(server.workDir().resolve("cli-" + round + ".log").toFile()).start();
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

    /**
     * qemu-img check exits 0 or 3 (leaks). A kill inside a snapshot create may leave OFLAG_COPIED
     * mismatches (the gap Qcow2CrashIT documents); those alone are repaired with -r all.
     */
    private static void assertCheckClean(Path image, String what) {
        Tools.Result r = Tools.run(QEMU, cmd("qemu-img", "check", image));
        if (r.exitCode() == 2 && what.contains("snapshot create")) {
            List<String> errors = r.output().lines().filter(l -> l.startsWith("ERROR")).toList();
            assertThat(errors).as("%s: %s\n%s", what, image, r.output())
                    .allMatch(l -> COPIED_ONLY.matcher(l).find());
            r = Tools.run(QEMU, cmd("qemu-img", "check", "-r", "all", image));
        }
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
