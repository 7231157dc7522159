package io.platter.tests.support;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Linux kernel iSCSI initiator (iscsi_tcp + open-iscsi) in a QEMU TCG guest, booted by
 * {@code tests/vm/run.sh} against a target on the host's 127.0.0.1 (10.0.2.2 in the guest).
 *
 * <p>The guest's serial console is read line by line as it arrives: {@code VM-EVENT: NAME} lines
 * are handed to the caller's event handler at once (the guest waits for the host to act, e.g.
 * restart the target), {@code VM-INFO: KEY=VALUE} lines become {@link Outcome#info()}, and the
 * final {@code VM-RESULT:} line the verdict. The whole console is kept in {@code console.log}
 * beside the settings file.
 */
public final class LinuxInitiatorVm {

    /** What a run reported: its verdict, its {@code VM-INFO} facts, and where the console log is. */
    public record Outcome(String result, Map<String, String> info, Path consoleLog, String console) {

        /** Whether the guest printed {@code VM-RESULT: PASS}. */
        public boolean passed() {
            return "PASS".equals(result);
        }

        /** The value of a {@code VM-INFO} key; fails if the guest did not report it. */
        public String info(String key) {
            String v = info.get(key);
            if (v == null) {
                throw new AssertionError("the guest reported no VM-INFO " + key + "\n" + describe());
            }
            return v;
        }

        /** A long {@code VM-INFO} value. */
        public long number(String key) {
            return Long.parseLong(info(key).trim());
        }

        /** The verdict with the console log, for assertion messages. */
        public String describe() {
            return "VM-RESULT: " + result + " (console log " + consoleLog + ")\n" + console;
        }
    }

    private static final String EVENT = "VM-EVENT: ";
    private static final String INFO = "VM-INFO: ";
    private static final String RESULT = "VM-RESULT: ";

    private LinuxInitiatorVm() {
    }

    /**
     * Boots the VM with {@code settings} (the {@code VM_*} variables of {@code tests/vm/init.sh})
     * and returns once it powered off or {@code timeout} passed.
     *
     * @param workDir where {@code vm.conf} and {@code console.log} go
     * @param onEvent called on the reading thread for each {@code VM-EVENT}; the console is not
     *                read meanwhile, which the guest tolerates for the few seconds a restart takes
     */
    public static Outcome run(Path workDir, Map<String, String> settings, Consumer<String> onEvent,
                              Duration timeout) {
        Path script = PlatterProcess.moduleDir().resolve("vm").resolve("run.sh");
        try {
            Files.createDirectories(workDir);
            Path conf = workDir.resolve("vm.conf");
            StringBuilder text = new StringBuilder();
            settings.forEach((k, v) -> text.append(k).append("='").append(v.replace("'", "'\\''")).append("'\n"));
            Files.writeString(conf, text, StandardCharsets.UTF_8);
            Path log = workDir.resolve("console.log");
            ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), conf.toString())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().put("VM_TIMEOUT", Long.toString(timeout.toSeconds()));
            Process process = pb.start();
            try {
                return read(process, log, onEvent, timeout);
            } finally {
                if (process.isAlive()) {
                    process.destroy();
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static Outcome read(Process process, Path log, Consumer<String> onEvent, Duration timeout)
            throws IOException, InterruptedException {
        Outcome outcome;
        try (Reader in = new InputStreamReader(process.getInputStream(), StandardCharsets.ISO_8859_1)) {
            outcome = readConsole(in, log, onEvent);
        }
        // run.sh enforces the timeout itself (timeout(1) around QEMU); this only bounds a stuck shell.
        process.waitFor(timeout.toSeconds() + 30, TimeUnit.SECONDS);
        if (outcome.result() == null) {
            String exit = process.isAlive() ? "?" : Integer.toString(process.exitValue());
            return new Outcome("none (exit " + exit + ", 124 = timeout)", outcome.info(), log, outcome.console());
        }
        return outcome;
    }

    /**
     * Reads a console to its end, copying it to {@code log}, calling {@code onEvent} for each
     * {@code VM-EVENT} as it arrives; {@link Outcome#result()} is null when no verdict came.
     * The console text kept in the outcome is its last 400 lines.
     */
    public static Outcome readConsole(Reader console, Path log, Consumer<String> onEvent) throws IOException {
        Map<String, String> info = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        String result = null;
        try (BufferedReader in = new BufferedReader(console);
             BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.ISO_8859_1)) {
            String line;
            while ((line = in.readLine()) != null) {
                line = line.replace("\r", "");
                lines.add(line);
                out.write(line);
                out.newLine();
                out.flush();
                if (line.startsWith(EVENT)) {
                    onEvent.accept(line.substring(EVENT.length()).trim());
                } else if (line.startsWith(INFO) && line.indexOf('=') > INFO.length()) {
                    String kv = line.substring(INFO.length());
                    info.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                } else if (line.startsWith(RESULT)) {
                    result = line.substring(RESULT.length()).trim();
                }
            }
        }
        String text = lines.size() > 400
                ? "[...]\n" + String.join("\n", lines.subList(lines.size() - 400, lines.size()))
                : String.join("\n", lines);
        return new Outcome(result, Map.copyOf(info), log, text);
    }
}
