package io.platter.tests;

import static io.platter.tests.support.Tools.cmd;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The packaged unit's sandbox keeps the service working (issue 21, finding 17). Without systemd
 * as PID 1 the unit cannot run here, so its two riskiest parts are reproduced: /proc is mounted
 * as {@code ProtectProc=}/{@code ProcSubset=} would mount it, and the packaged launcher runs under
 * {@code strace -f} as an unprivileged user with {@code UMask=}'s umask, serving a LUN (discovery,
 * writes and reads), its metrics and management API calls that write the config. Every system
 * call it made must be one the unit's {@code SystemCallFilter=} lines allow (expanded with
 * {@code systemd-analyze syscall-filter}), and every step must succeed.
 */
@Timeout(600)
class UnitSandboxIT {

    private static final String NOBODY = "65534";
    private static final String SANDBOXED = "iqn.2026-11.io.platter:sandboxed";

    @Test
    void theDaemonWorksInsideTheUnitsProcViewAndMakesNoFilteredSystemCall() throws Exception {
        assertThat((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"))
                .as("mounts a private /proc and drops to user nobody; run as root (CI does)").isZero();
        Path work = PlatterProcess.moduleDir().resolve("target/it/UnitSandboxIT");
        Path root = work.resolve("root");
        Tools.runOk("rm", "-rf", work.toString());
        Files.createDirectories(root);
        Tools.runOk("dpkg-deb", "-x", builtDeb().toString(), root.toString());
        List<String> unit = Files.readAllLines(root.resolve("lib/systemd/system/platter.service"));

        Path run = work.resolve("run");
        Path data = run.resolve("data");
        Files.createDirectories(data);
        Path config = run.resolve("platter.yaml");
        Files.writeString(config, Files.readString(root.resolve("etc/platter/platter.yaml"))
                .replace("data-dir: /var/lib/platter", "data-dir: " + data));
        Tools.runOk("chown", "-R", NOBODY + ":" + NOBODY, run.toString());
        Tools.runOk("chmod", "o+x", work.toString());
        Path trace = run.resolve("strace.txt");
        Path launcher = root.resolve("usr/bin/platter");
        int port = PlatterProcess.freePort();
        int metricsPort = PlatterProcess.freePort();
        Path log = work.resolve("server.log");

        Process p = new ProcessBuilder(cmd("unshare", "-m", "--propagation", "private", "sh", "-c",
                "mount -t proc -o \"$0\" proc /proc && umask \"$1\" && shift"
                        + " && exec setpriv --reuid=" + NOBODY + " --regid=" + NOBODY + " --clear-groups"
                        + " strace -f -qq -c -o \"$@\"",
                procOptions(unit), value(unit, "UMask").orElse("0022"), trace, launcher, "serve", "--config", config,
                "--portal", "127.0.0.1:" + port, "--metrics", "127.0.0.1:" + metricsPort))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Tools.awaitPort(port, p, log);
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body()).contains("platter_");
            // The API: status reads the pool's file system (through /proc/mounts); a volume and an
            // ACL entry write images, the catalog and the config file.
            awaitApi(data);
            cliOk(launcher, data, "status");
            assertThat(Tools.run("iscsi-ls", "-s", "iscsi://127.0.0.1:" + port).output()).as("the packaged file exports nothing")
                    .doesNotContain("Target:");
            // The first target as the README's first steps make it: in the catalog, through the CLI.
            cliOk(launcher, data, "target", "create", SANDBOXED);
            cliOk(launcher, data, "volume", "create", "sandboxed", "--size", "8M");
            cliOk(launcher, data, "lun", "map", SANDBOXED, "sandboxed", "--lun", "0");
            String ls = Tools.runOk("iscsi-ls", "-s", "iscsi://127.0.0.1:" + port);
            assertThat(ls).as(ls).contains(SANDBOXED).contains("Lun:0");
            String io = Tools.runOk(Tools.DEFAULT_TIMEOUT, cmd("qemu-io", "-f", "raw", "-c", "write -P 0x5a 0 64k",
                    "-c", "read -P 0x5a 0 64k", "iscsi://127.0.0.1:" + port + "/" + SANDBOXED + "/0"));
            assertThat(io).as(io).doesNotContain("failed");
            cliOk(launcher, data, "volume", "create", "second", "--size", "8M");
            cliOk(launcher, data, "acl", "add", SANDBOXED, "iqn.2026-11.com.example:host");
            try (var generations = Files.list(data.resolve("catalog"))) {
                assertThat(generations.map(g -> {
                    try {
                        return Files.readString(g);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                })).anyMatch(text -> text.contains("iqn.2026-11.com.example:host"));
            }
        } finally {
            stopDaemon(p);
        }
        assertThat(p.exitValue()).as(Files.readString(log)).isZero();

        Set<String> used = traced(trace);
        assertThat(used).as("the trace").contains("openat", "pread64", "epoll_wait");
        Set<String> allowed = allowed(unit);
        Set<String> outside = new TreeSet<>(used);
        outside.removeAll(allowed);
        assertThat(outside).as("system calls the daemon made that the unit's SystemCallFilter refuses").isEmpty();
    }

    /** The /proc mount options ProtectProc= and ProcSubset= of {@code unit} stand for. */
    private static String procOptions(List<String> unit) {
        List<String> options = new ArrayList<>(List.of("rw"));
        value(unit, "ProtectProc").filter(v -> !v.equals("default")).ifPresent(v -> options.add("hidepid=" + v));
        value(unit, "ProcSubset").filter(v -> v.equals("pid")).ifPresent(v -> options.add("subset=pid"));
        return String.join(",", options);
    }

    private static java.util.Optional<String> value(List<String> unit, String key) {
        return unit.stream().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1).trim())
                .reduce((a, b) -> b);
    }

    /** Allowed minus denied, as systemd combines an allow list with later {@code ~} lines. */
    private static Set<String> allowed(List<String> unit) {
        Map<String, List<String>> groups = syscallGroups();
        Set<String> allow = new TreeSet<>();
        Set<String> deny = new TreeSet<>();
        for (String line : unit) {
            if (line.startsWith("SystemCallFilter=")) {
                String v = line.substring("SystemCallFilter=".length()).trim();
                boolean negated = v.startsWith("~");
                for (String item : (negated ? v.substring(1) : v).trim().split("\\s+")) {
                    expand(item, groups, negated ? deny : allow);
                }
            }
        }
        assertThat(allow).as("the unit has an allow list").isNotEmpty();
        allow.removeAll(deny);
        return allow;
    }

    private static void expand(String item, Map<String, List<String>> groups, Set<String> into) {
        if (!item.startsWith("@")) {
            into.add(item);
            return;
        }
        List<String> members = groups.get(item);
        assertThat(members).as("systemd knows " + item).isNotNull();
        members.forEach(m -> expand(m, groups, into));
    }

    /** Every group {@code systemd-analyze syscall-filter} lists, with its members. */
    private static Map<String, List<String>> syscallGroups() {
        String out = Tools.runOk("systemd-analyze", "syscall-filter", "--no-pager");
        Map<String, List<String>> groups = new HashMap<>();
        List<String> current = null;
        for (String line : out.split("\n")) {
            if (line.startsWith("@")) {
                current = new ArrayList<>();
                groups.put(line.trim(), current);
            } else if (line.isBlank()) {
                current = null;
            } else if (current != null && !line.trim().startsWith("#")) {
                current.add(line.trim());
            }
        }
        return groups;
    }

    /** The system call names of an {@code strace -c} summary. */
    private static Set<String> traced(Path summary) throws IOException {
        Set<String> names = new TreeSet<>();
        boolean table = false;
        for (String line : Files.readAllLines(summary)) {
            if (line.startsWith("------")) {
                table = !table;
                continue;
            }
            String[] cols = line.trim().split("\\s+");
            if (table && cols.length >= 5) {
                names.add(cols[cols.length - 1]);
            }
        }
        return names;
    }

    private static void awaitApi(Path data) throws InterruptedException {
        for (int i = 0; i < 300 && !Files.exists(data.resolve(".platter-api")); i++) {
            Thread.sleep(100);
        }
    }

    private static void cliOk(Path launcher, Path data, String... args) {
        List<String> c = cmd("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", launcher);
        c.addAll(List.of(args));
        c.addAll(List.of("--data-dir", data.toString()));
        Tools.Result r = Tools.run(Duration.ofMinutes(2), c);
        assertThat(r.ok()).as(r.describe()).isTrue();
    }

    /** SIGTERM to the daemon's JVM (strace then writes its summary and exits with it). */
    private static void stopDaemon(Process p) throws InterruptedException {
        p.descendants().filter(h -> h.info().commandLine().orElse("").contains("platter.jar"))
                .forEach(ProcessHandle::destroy);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("the daemon did not stop after SIGTERM");
        }
    }

    private static Path builtDeb() throws IOException {
        Path target = PlatterProcess.moduleDir().resolve("../packaging/target").normalize();
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(f -> f.getFileName().toString().matches("platter_.*_all\\.deb")).findFirst()
                    .orElseThrow(() -> new AssertionError("no platter_*_all.deb in " + target));
        }
    }
}
