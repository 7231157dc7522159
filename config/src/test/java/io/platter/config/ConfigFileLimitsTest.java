package io.platter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader looks at a config file before it reads it (issue 21, finding 14): a FIFO used to
 * hang it, /dev/zero to fill the heap, a 5 MB value to cost seconds of CPU. Each must now fail at
 * once with the path in the message; the preemptive timeout only keeps a regression from hanging
 * the build, it is far above the time a refusal takes.
 */
class ConfigFileLimitsTest {

    private static final Duration HANG = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void aFifoIsRefusedWithoutWaitingForAWriter() throws Exception {
        Path fifo = dir.resolve("platter.yaml");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
        String message = refusal(fifo);
        assertThat(message).contains(fifo.toAbsolutePath().toString()).contains("not a regular file");
    }

    @Test
    void aDeviceIsRefusedBeforeAByteIsRead() {
        String message = refusal(Path.of("/dev/zero"));
        assertThat(message).contains("/dev/zero").contains("not a regular file");
    }

    @Test
    void aSymlinkIsFollowedOnceAndItsTargetChecked() throws Exception {
        Path good = Files.writeString(dir.resolve("real.yaml"), "version: 1\n");
        Path link = Files.createSymbolicLink(dir.resolve("platter.yaml"), good);
        assertThat(ConfigLoader.load(link).version()).isEqualTo(1);

        Path toDevice = Files.createSymbolicLink(dir.resolve("zero.yaml"), Path.of("/dev/zero"));
        assertThat(refusal(toDevice)).contains("not a regular file");
    }

    @Test
    void aFileOverTheCapIsRefusedBeforeItIsParsed() throws IOException {
        // One value of 5 MB used to cost 12 s of parsing; now its size alone refuses it.
        Path big = dir.resolve("platter.yaml");
        Files.writeString(big, "version: 1\nserver:\n  data-dir: " + "x".repeat(5 * 1024 * 1024) + "\n");
        String message = refusal(big);
        assertThat(message).contains(big.toAbsolutePath().toString())
                .contains("at most " + ConfigLoader.MAX_FILE_BYTES + " bytes");
    }

    @Test
    void aFileOfExactlyTheCapIsReadAndJudgedOnItsContent() throws IOException {
        Path file = dir.resolve("platter.yaml");
        String head = "version: 1\n# ";
        Files.writeString(file, head + "x".repeat((int) ConfigLoader.MAX_FILE_BYTES - head.length() - 1) + "\n");
        assertThat(Files.size(file)).isEqualTo(ConfigLoader.MAX_FILE_BYTES);
        PlatterConfig config = assertTimeoutPreemptively(HANG, () -> ConfigLoader.load(file));
        assertThat(config.version()).isEqualTo(1);
    }

    private static String refusal(Path file) {
        ConfigException e = assertTimeoutPreemptively(HANG,
                () -> catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file)));
        assertThat(e).as("refused").isNotNull();
        assertThat(e.problems()).hasSize(1);
        return e.getMessage();
    }
}
