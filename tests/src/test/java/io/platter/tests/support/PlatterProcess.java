package io.platter.tests.support;

import io.platter.config.ConfigException;
import io.platter.config.ConfigLoader;
import io.platter.config.ConfigWriter;
import io.platter.config.PlatterConfig;
import io.platter.config.catalog.FileCatalog;
import io.platter.config.catalog.Layers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/**
 * The real Platter daemon ({@code io.platter.server.Main serve}) as a child JVM on 127.0.0.1,
 * with one target {@link #IQN} exporting one thin raw LUN 0 ({@code lun0.img}).
 *
 * <p>The default starts keep that target in the daemon's catalog (as if made with the CLI), so the
 * CLI may change it; {@code platter.yaml} then holds the server settings only. A start with a
 * config YAML of the test's own ({@link #start(String, BiFunction)}) declares its targets in the
 * file, where the CLI may not change them (issue 15); {@link #startWithCatalog} puts them in the
 * catalog instead.
 *
 * <p>Each start writes its own log ({@code server-N.log}) in the work directory under
 * {@code target/it/}. {@link #stop()} sends SIGTERM and fails the test unless the daemon exits 0
 * within 20 s; a daemon log with a Netty {@code LEAK:} report fails it too.
 */
public final class PlatterProcess implements AutoCloseable {

    /** The IQN of the single test target. */
    public static final String IQN = "iqn.2026-11.io.platter:test";

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final String MAIN_CLASS = "io.platter.server.Main";

    private final Path workDir;
    private final Path dataDir;
    private final Path config;
    private final int port;
    private final List<Path> logs = new ArrayList<>();
    private final List<String> extraArgs;
    private List<String> jvmArgs = List.of();
    /** Whether {@code serve} gets {@code --config}; false for the quick start. */
    private boolean withConfig = true;
    private Process process;

    private final String format;

    private PlatterProcess(Path workDir, int port, BiFunction<Integer, Path, String> configYaml,
                           List<String> extraArgs, String format, boolean inCatalog) throws IOException {
        this.workDir = workDir;
        this.extraArgs = List.copyOf(extraArgs);
        this.dataDir = workDir.resolve("data");
        this.config = workDir.resolve("platter.yaml");
        this.port = port;
        this.format = format;
        Files.createDirectories(dataDir);
        Files.writeString(config, configYaml.apply(port, dataDir), StandardCharsets.UTF_8);
        if (inCatalog) {
            moveObjectsToCatalog();
        }
    }

    /**
     * Commits the targets and volumes of the config file to the catalog of the data directory (as
     * the CLI would have made them) and leaves the server settings, and discovery CHAP, in the file.
     */
    private void moveObjectsToCatalog() throws IOException {
        try {
            PlatterConfig full = ConfigLoader.load(config);
            PlatterConfig server = full.withTargets(List.of()).withVolumes(List.of());
            FileCatalog catalog = FileCatalog.of(dataDir);
            catalog.commit(catalog.load().number(), Layers.catalogPart(server, full, catalog.empty()));
            Files.writeString(config, ConfigWriter.exportYaml(server, true,
                    "Test daemon: server settings; its targets are in the catalog " + catalog.location()));
        } catch (ConfigException e) {
            throw new IOException("the test's config YAML is wrong: " + e.getMessage(), e);
        }
    }

    /**
     * Starts a fresh daemon in {@code target/it/NAME} (deleted first) on a free port.
     *
     * @param lunSize LUN 0 size as the config spells it, e.g. {@code 256M}
     */
    public static PlatterProcess start(String name, String lunSize) {
        return start(name, lunSize, List.of());
    }

    /** Starts a fresh daemon whose LUN 0 image has {@code format} ({@code raw} or {@code qcow2}). */
    public static PlatterProcess start(String name, String lunSize, String format) {
        return start(name, (port, dataDir) -> configYaml(port, dataDir, lunSize, format), List.of(), format, true);
    }

    /** Like {@link #start(String, String)} with LUNs 0 to {@code lunCount - 1}, each {@code lunN.img}. */
    public static PlatterProcess start(String name, String lunSize, int lunCount) {
        return start(name, (port, dataDir) -> configYaml(port, dataDir, lunSize, lunCount), List.of(), "raw", true);
    }

    /**
     * Like {@link #start(String, String)} with options for the daemon's JVM (after the defaults, so
     * a {@code -D} here wins), e.g. a fixed heap for memory measurements.
     */
    public static PlatterProcess startWithJvm(String name, String lunSize, List<String> jvmArgs) {
        Path dir = moduleDir().resolve("target").resolve("it").resolve(name);
        try {
            deleteRecursively(dir);
            PlatterProcess p = new PlatterProcess(dir, freePort(),
                    (port, dataDir) -> configYaml(port, dataDir, lunSize), List.of(), "raw", true);
            p.jvmArgs = List.copyOf(jvmArgs);
            p.launch();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Like {@link #start(String, String)} with more {@code serve} options, e.g. {@code --metrics}. */
    public static PlatterProcess start(String name, String lunSize, List<String> extraArgs) {
        return start(name, (port, dataDir) -> configYaml(port, dataDir, lunSize), extraArgs, "raw", true);
    }

    /**
     * Starts a fresh daemon in {@code target/it/NAME} (deleted first) on a free port with the
     * config YAML {@code configYaml} makes from that port and the data directory. {@link #url()}
     * and {@link #image()} assume the config has target {@link #IQN} with LUN 0 in {@code lun0.img}.
     */
    public static PlatterProcess start(String name, BiFunction<Integer, Path, String> configYaml) {
        return start(name, configYaml, List.of());
    }

    /** Like {@link #start(String, BiFunction)} with more {@code serve} options. */
    public static PlatterProcess start(String name, BiFunction<Integer, Path, String> configYaml,
                                       List<String> extraArgs) {
        return start(name, configYaml, extraArgs, "raw", false);
    }

    /**
     * Like {@link #start(String, BiFunction)}, but the targets and volumes of {@code configYaml} are
     * committed to the catalog before the start, so the CLI may change them; the file keeps the
     * server settings.
     */
    public static PlatterProcess startWithCatalog(String name, BiFunction<Integer, Path, String> configYaml) {
        return start(name, configYaml, List.of(), "raw", true);
    }

    /**
     * The quick start: {@code serve --data-dir DATA --portal 127.0.0.1:PORT} without a config file
     * (the embedded default, its demo target in the catalog). Requires /etc/platter/platter.yaml to
     * be absent, or {@code serve} would read it.
     */
    public static PlatterProcess startWithoutConfig(String name) {
        if (Files.exists(Path.of("/etc/platter/platter.yaml"))) {
            throw new AssertionError("/etc/platter/platter.yaml exists: the quick start would read it");
        }
        Path dir = moduleDir().resolve("target").resolve("it").resolve(name);
        try {
            deleteRecursively(dir);
            PlatterProcess p = new PlatterProcess(dir, freePort(), (port, dataDir) -> "", List.of(), "raw", false);
            Files.delete(p.config);
            p.withConfig = false;
            p.launch();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The config file {@code serve} reads (absent for {@link #startWithoutConfig}). */
    public Path config() {
        return config;
    }

    /** Runs {@code io.platter.server.Main ARGS} once, as given (e.g. a {@code serve} expected to fail). */
    public static Tools.Result main(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath(), MAIN_CLASS));
        cmd.addAll(List.of(args));
        return Tools.run(timeout, cmd);
    }

    /** The default target ({@link #IQN}, LUN 0 of {@code lunSize}) declared in the config file. */
    public static BiFunction<Integer, Path, String> declared(String lunSize) {
        return (port, dataDir) -> configYaml(port, dataDir, lunSize);
    }

    private static PlatterProcess start(String name, BiFunction<Integer, Path, String> configYaml,
                                        List<String> extraArgs, String format, boolean inCatalog) {
        Path dir = moduleDir().resolve("target").resolve("it").resolve(name);
        try {
            deleteRecursively(dir);
            PlatterProcess p = new PlatterProcess(dir, freePort(), configYaml, extraArgs, format, inCatalog);
            p.launch();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The config YAML of the server contract. */
    static String configYaml(int port, Path dataDir, String lunSize, String format) {
        return """
                server:
                  portals: ["127.0.0.1:%d"]
                  data-dir: %s
                targets:
                  - iqn: %s
                    luns:
                      - id: 0
                        image: %s
                        size: %s
                        format: %s
                        provisioning: thin
                """.formatted(port, dataDir.toAbsolutePath(), IQN, imageName(format), lunSize, format);
    }

    private static String imageName(String format) {
        return "qcow2".equals(format) ? "lun0.qcow2" : "lun0.img";
    }

    static String configYaml(int port, Path dataDir, String lunSize) {
        return configYaml(port, dataDir, lunSize, 1);
    }

    /** The config YAML with LUNs 0 to {@code lunCount - 1}, each {@code lunN.img}. */
    static String configYaml(int port, Path dataDir, String lunSize, int lunCount) {
        StringBuilder luns = new StringBuilder();
        for (int lun = 0; lun < lunCount; lun++) {
            luns.append("""
                          - id: %d
                            image: lun%d.img
                            size: %s
                            provisioning: thin
                    """.formatted(lun, lun, lunSize));
        }
        return targetYaml(port, dataDir, luns.toString());
    }

    /** The config YAML of one portal and target {@link #IQN} with {@code luns}, the YAML list items of its LUNs. */
    public static String targetYaml(int port, Path dataDir, String luns) {
        return """
                server:
                  portals: ["127.0.0.1:%d"]
                  data-dir: %s
                targets:
                  - iqn: %s
                    luns:
                """.formatted(port, dataDir.toAbsolutePath(), IQN) + luns;
    }

    /** The module directory (Maven's {@code basedir}, else the working directory). */
    public static Path moduleDir() {
        return Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    }

    /** A TCP port that was free a moment ago on 127.0.0.1. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:PORT}. */
    public String portal() {
        return "127.0.0.1:" + port;
    }

    /** {@code iscsi://127.0.0.1:PORT} (discovery URL for iscsi-ls). */
    public String portalUrl() {
        return "iscsi://" + portal();
    }

    /** libiscsi URL of LUN 0. */
    public String url() {
        return url(0);
    }

    /** libiscsi URL of a LUN. */
    public String url(int lun) {
        return portalUrl() + "/" + IQN + "/" + lun;
    }

    public Path workDir() {
        return workDir;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The raw image of LUN 0. */
    public Path image() {
        return dataDir.resolve(imageName(format));
    }

    /** The log of the current (or last) start. */
    public Path log() {
        return logs.get(logs.size() - 1);
    }

    /** The daemon's process id (for /proc sampling); fails when it is not running. */
    public long pid() {
        if (process == null) {
            throw new IllegalStateException("not running");
        }
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Stops the daemon (SIGTERM, exit 0 expected) and starts it again on the same port and data. */
    public void restart() {
        stop();
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * SIGTERM, then waits up to 20 s. Fails if SIGKILL was needed, if the exit code is not 0,
     * or if the log holds a Netty leak report.
     */
    public void stop() {
        if (process == null) {
            return;
        }
        Process p = process;
        process = null;
        p.destroy();
        boolean exited = waitFor(p, STOP_TIMEOUT);
        if (!exited) {
            p.destroyForcibly();
            waitFor(p, Duration.ofSeconds(10));
            throw new AssertionError("daemon did not exit within " + STOP_TIMEOUT.toSeconds()
                    + " s of SIGTERM; killed with SIGKILL\n" + logText());
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("daemon exited with " + p.exitValue() + " after SIGTERM\n" + logText());
        }
        assertNoLeaks();
    }

    /** SIGKILL (crash simulation); does not check the exit code. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor(process, Duration.ofSeconds(10));
            process = null;
        }
    }

    /** Starts again after {@link #kill()} or {@link #stop()}. */
    public void startAgain() {
        if (isAlive()) {
            throw new IllegalStateException("already running");
        }
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void launch() throws IOException {
        Path log = workDir.resolve("server-" + (logs.size() + 1) + ".log");
        logs.add(log);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Dio.netty.leakDetection.level=" + System.getProperty("platter.it.leakDetection", "paranoid"));
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(MAIN_CLASS);
        cmd.add("serve");
        if (withConfig) {
            cmd.addAll(List.of("--config", config.toString()));
        }
        cmd.addAll(List.of("--data-dir", dataDir.toString(), "--portal", portal()));
        cmd.addAll(extraArgs);
        // The class path is long: it goes to its own file, the log names the command without it.
        Files.writeString(workDir.resolve("classpath.txt"), classPath() + "\n", StandardCharsets.UTF_8);
        List<String> shown = new ArrayList<>(cmd);
        shown.set(shown.indexOf("-cp") + 1, "$(cat " + workDir.resolve("classpath.txt") + ")");
        Files.writeString(log, "# " + String.join(" ", shown) + "\n", StandardCharsets.UTF_8);
        process = new ProcessBuilder(cmd)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        awaitReady();
    }

    private void awaitReady() {
        String marker = "listening on " + portal();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                int code = process.exitValue();
                process = null;
                throw new AssertionError("daemon exited with " + code + " before it was ready\n" + logText());
            }
            // "Platter ready" comes after the management API is published: a CLI call made at once
            // (a fast one since issue 15) must find the daemon's API files.
            String text = logText();
            if (text.contains(marker) && text.contains("Platter ready") && canConnect()) {
                return;
            }
            sleep(100);
        }
        kill();
        throw new AssertionError("daemon not ready within " + READY_TIMEOUT.toSeconds() + " s (no '"
                + marker + "' or no TCP connect)\n" + logText());
    }

    private boolean canConnect() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void assertNoLeaks() {
        String text = logText();
        if (text.contains("LEAK:")) {
            throw new AssertionError("Netty leak report in the daemon log " + log() + "\n" + text);
        }
    }

    /**
     * The daemon's internal-error count ({@code io.platter.scsi.InternalErrors}): the highest
     * {@code internal error #N} in its log, 0 when there is none. Hostile-input, fuzz and load tests
     * assert it stays 0, so a catch-all cannot hide a bug from them.
     */
    public long internalErrors() {
        try {
            String s = Files.readString(log(), StandardCharsets.ISO_8859_1);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("internal error #(\\d+)").matcher(s);
            long max = 0;
            while (m.find()) {
                max = Math.max(max, Long.parseLong(m.group(1)));
            }
            return max;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Fails with the log when the daemon recorded any internal error. */
    public void assertNoInternalErrors() {
        long n = internalErrors();
        if (n != 0) {
            throw new AssertionError(n + " internal error(s) in the daemon log " + log() + "\n" + logText());
        }
    }

    /** The current log, its last 20,000 characters if longer, with its path. */
    public String logText() {
        try {
            String s = Files.readString(log(), StandardCharsets.ISO_8859_1);
            String body = s.length() > 20_000 ? "[...]\n" + s.substring(s.length() - 20_000) : s;
            return "---- " + log() + " ----\n" + body;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Runs the {@code platter} CLI ({@code io.platter.server.Main ARGS --data-dir <data dir>}) against this daemon. */
    public Tools.Result cli(String... args) {
        return cliWithInput(Path.of("/dev/null"), args);
    }

    /** Like {@link #cli} with standard input read from {@code stdin} (e.g. {@code chap set --secret-stdin}). */
    public Tools.Result cliWithInput(Path stdin, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath(), MAIN_CLASS));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--data-dir", dataDir.toString()));
        return Tools.run(Duration.ofMinutes(2), cmd, stdin);
    }

    /** Like {@link #cli} and fails with the output unless it exits 0; returns the output. */
    public String cliOk(String... args) {
        Tools.Result r = cli(args);
        if (!r.ok()) {
            throw new AssertionError("platter CLI failed:\n" + r.describe() + "\n" + logText());
        }
        return r.output();
    }

    /** The class path of the forked test JVM (Surefire's real one when it uses a manifest jar). */
    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    private static boolean waitFor(Process p, Duration d) {
        try {
            return p.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The newest catalog generation file in {@code dataDir}'s catalog (catalog-N.yaml, highest N). */
    public static Path newestCatalogGeneration(Path dataDir) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(dataDir.resolve("catalog"))) {
            return files.filter(f -> f.getFileName().toString().matches("catalog-\\d+\\.yaml")).sorted()
                    .reduce((x, y) -> y).orElseThrow();
        }
    }
}
