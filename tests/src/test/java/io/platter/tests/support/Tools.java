package io.platter.tests.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs external commands (libiscsi tools, qemu-img, qemu-io) with a timeout and captures their
 * merged stdout+stderr.
 *
 * <p>Output is decoded as ISO-8859-1 so that binary bytes some tools print verbatim (e.g. the
 * NAA designator in {@code iscsi-inq -c 131}) survive one-to-one and can be compared.
 */
public final class Tools {

    /** Default bound for one short tool invocation. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    private Tools() {
    }

    /** Outcome of one command: exit code ({@code -1} when it timed out) and its whole output. */
    public record Result(List<String> command, int exitCode, boolean timedOut, String output) {

        /** Whether the command exited 0 in time. */
        public boolean ok() {
            return !timedOut && exitCode == 0;
        }

        /** A failure description with the command and its complete output. */
        public String describe() {
            return "$ " + String.join(" ", command) + "\n"
                    + (timedOut ? "[timed out]" : "[exit " + exitCode + "]") + "\n" + output;
        }
    }

    /** Runs {@code command} with {@link #DEFAULT_TIMEOUT}; never throws for a non-zero exit. */
    public static Result run(String... command) {
        return run(DEFAULT_TIMEOUT, List.of(command));
    }

    /**
     * Runs {@code command}, killing it (SIGTERM, then SIGKILL after 5 s) once {@code timeout}
     * elapses; the output read up to then is kept.
     */
    public static Result run(Duration timeout, List<String> command) {
        return run(timeout, command, Path.of("/dev/null"));
    }

    /** Like {@link #run(Duration, List)} with standard input read from {@code stdin}. */
    public static Result run(Duration timeout, List<String> command, Path stdin) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.redirectInput(ProcessBuilder.Redirect.from(stdin.toFile()));
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + command.get(0)
                    + " (is it installed? tests/run installs libiscsi-bin, qemu-utils, qemu-block-extra): "
                    + e.getMessage(), e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread pump = new Thread(() -> copy(process.getInputStream(), out), "tools-output-" + process.pid());
        pump.setDaemon(true);
        pump.start();
        boolean timedOut = false;
        int exit;
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                timedOut = true;
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            exit = timedOut ? -1 : process.exitValue();
            pump.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        }
        String text;
        synchronized (out) {
            text = out.toString(StandardCharsets.ISO_8859_1);
        }
        return new Result(List.copyOf(command), exit, timedOut, text);
    }

    /** Runs {@code command} and fails with its whole output unless it exits 0 in time. */
    public static String runOk(String... command) {
        return runOk(DEFAULT_TIMEOUT, List.of(command));
    }

    /** Runs {@code command} and fails with its whole output unless it exits 0 in time. */
    public static String runOk(Duration timeout, List<String> command) {
        Result r = run(timeout, command);
        if (!r.ok()) {
            throw new AssertionError("command failed:\n" + r.describe());
        }
        return r.output();
    }

    /** Like {@link #run(Duration, List)} and also writes the output to {@code log}. */
    public static Result runLogged(Duration timeout, Path log, List<String> command) {
        Result r = run(timeout, command);
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Files.writeString(log, r.describe(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return r;
    }

    /** Builds a command list; convenience for call sites mixing fixed and computed arguments. */
    public static List<String> cmd(Object... parts) {
        List<String> list = new ArrayList<>(parts.length);
        for (Object p : parts) {
            list.add(String.valueOf(p));
        }
        return list;
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (out) {
                    out.write(buf, 0, n);
                }
            }
        } catch (IOException ignored) {
            // process killed: keep what was read
        }
    }

    /** Asserts that {@code r} failed with exit code 1 and one line of output containing {@code expected}. */
    public static void result(Result r, String expected) {
        if (r.ok() || r.exitCode() != 1 || !r.output().contains(expected) || r.output().strip().lines().count() != 1) {
            throw new AssertionError("expected a one-line failure containing \"" + expected + "\":\n" + r.describe());
        }
    }

    /** Waits up to 60 s until 127.0.0.1:{@code port} accepts a connection; fails with {@code log} if {@code p} exits first. */
    public static void awaitPort(int port, Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("launcher exited with " + p.exitValue() + "\n"
                        + Files.readString(log, StandardCharsets.ISO_8859_1));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("launcher not listening in 60 s\n" + Files.readString(log));
    }
}
