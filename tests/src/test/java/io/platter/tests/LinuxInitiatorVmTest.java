package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.platter.tests.support.LinuxInitiatorVm;
import io.platter.tests.support.LinuxInitiatorVm.Outcome;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console protocol of the kernel initiator VM ({@code tests/vm/init.sh}) as the host reads it. */
class LinuxInitiatorVmTest {

    private static final String CONSOLE = """
            [    2.1] some kernel line\r
            VM-TIME init 2.30
            VM: [4.92] login: /dev/sda 256 MiB after 0.42s
            VM-EVENT: restart-target
            VM-INFO: acked=16
            VM-INFO: fstrim_output=fstrim: /mnt: 1 GiB (1073741824 bytes) trimmed a=b
            VM-EVENT: measure trimmed
            VM-INFO: =no key
            VM-RESULT: PASS
            [   39.0] reboot: Power down
            """;

    @TempDir
    Path dir;

    @Test
    void eventsInOrderInfoAndVerdict() throws IOException {
        List<String> events = new ArrayList<>();
        Path log = dir.resolve("console.log");
        Outcome out = LinuxInitiatorVm.readConsole(new StringReader(CONSOLE), log, events::add);

        assertThat(events).containsExactly("restart-target", "measure trimmed");
        assertThat(out.passed()).isTrue();
        assertThat(out.number("acked")).isEqualTo(16);
        assertThat(out.info("fstrim_output")).isEqualTo("fstrim: /mnt: 1 GiB (1073741824 bytes) trimmed a=b");
        assertThat(out.info()).doesNotContainKey("");
        assertThat(Files.readString(log, StandardCharsets.ISO_8859_1)).contains("VM-INFO: acked=16")
                .doesNotContain("\r");
        assertThatThrownBy(() -> out.info("missing")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("missing");
    }

    @Test
    void failureAndMissingVerdict() throws IOException {
        Outcome failed = LinuxInitiatorVm.readConsole(new StringReader("VM-RESULT: FAIL e2fsck after-trim (rc=4)\n"),
                dir.resolve("a.log"), e -> { });
        assertThat(failed.passed()).isFalse();
        assertThat(failed.result()).isEqualTo("FAIL e2fsck after-trim (rc=4)");

        Outcome crashed = LinuxInitiatorVm.readConsole(new StringReader("Kernel panic\n"), dir.resolve("b.log"), e -> { });
        assertThat(crashed.result()).isNull();
        assertThat(crashed.passed()).isFalse();
    }
}
