package io.platter.lun.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs qemu-img and qemu-io, the test oracle for the qcow2 format. */
final class QemuImg {

    private QemuImg() { }

    record Result(int exit, String output) { }

    static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        return new Result(p.exitValue(), out);
    }

    /** Runs a command that must succeed; returns its output. */
    static String ok(String... command) throws IOException, InterruptedException {
        Result r = run(command);
        assertThat(r.exit()).as("%s\n%s", String.join(" ", command), r.output()).isZero();
        return r.output();
    }

    /** qemu-img check must report the image clean (exit 0, no leaks or errors). */
    static void assertClean(Path image) throws IOException, InterruptedException {
        Result r = run("qemu-img", "check", image.toString());
        assertThat(r.output()).as("qemu-img check %s", image).contains("No errors were found");
        assertThat(r.exit()).as("qemu-img check %s: %s", image, r.output()).isZero();
    }

    /** qemu-io commands against an image (qcow2 format forced). */
    static void io(Path image, String... commands) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c);
        }
        cmd.add(image.toString());
        String out = ok(cmd.toArray(String[]::new));
        assertThat(out).doesNotContain("failed");
    }

    /** qemu-img compare of a qcow2 image against a raw file (identical contents, same size). */
    static void assertSameAsRaw(Path image, Path raw) throws IOException, InterruptedException {
        Result r = run("qemu-img", "compare", "-f", "qcow2", "-F", "raw", image.toString(), raw.toString());
        assertThat(r.exit()).as("qemu-img compare: %s", r.output()).isZero();
    }
}
