package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.LinuxInitiatorVm;
import io.platter.tests.support.LinuxInitiatorVm.Outcome;
import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.Tools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Linux kernel initiator (iscsi_tcp + open-iscsi in a QEMU guest, {@code tests/vm/}) against
 * the real daemon: discovery, login, ext4 with checksummed files, discard, a target restart under
 * write load, and CHAP. Each test boots its own VM against its own daemon; the guest checks what
 * it can see (fsck, checksums, session state) and the host checks the image it left behind.
 * {@code -Dplatter.vm.skip=true} leaves the class out.
 */
@Timeout(420)
class LinuxInitiatorIT {

    private static final long MIB = 1L << 20;
    private static final Duration VM_TIMEOUT = Duration.ofSeconds(300);

    @BeforeAll
    static void requireQemu() {
        Assumptions.assumeFalse(LinuxInitiatorVm.skipped(), "-Dplatter.vm.skip=true");
        Tools.Result qemu = Tools.run("qemu-system-x86_64", "--version");
        assertThat(qemu.ok()).as("qemu-system-x86_64 (tests/run installs qemu-system-x86 and cpio)\n"
                + qemu.describe()).isTrue();
    }

    @Test
    void discoveryLoginExt4ChecksumsAndRelogin() {
        try (PlatterProcess server = PlatterProcess.start("LinuxInitiatorIT-basic", "256M")) {
            Outcome vm = boot(server, "basic", Map.of("VM_MB", "96"), event -> { });
            assertThat(vm.passed()).as(vm.describe()).isTrue();
            assertThat(vm.number("files")).as("files written").isEqualTo(46);
            assertThat(vm.number("verified_same-session")).isEqualTo(46);
            assertThat(vm.number("verified_after-relogin")).isEqualTo(46);
            assertThat(allocatedBytes(server.image())).as("the ~100 MiB reached the image")
                    .isGreaterThan(96 * MIB);
            server.stop();
            assertHostFsckClean(server);
        }
    }

    /**
     * fstrim on the mounted file system. While the target reports no logical block provisioning
     * (UNMAP is added by another branch) the kernel runs the disk with discard disabled and fstrim
     * must refuse cleanly; the test checks that and then reports itself skipped with a TODO. Once
     * the LUN advertises UNMAP the same test requires the trimmed 64 MiB to leave the thin image.
     */
    @Test
    void fstrimReachesTheTargetAsUnmap() {
        try (PlatterProcess server = PlatterProcess.start("LinuxInitiatorIT-discard", "256M")) {
            Map<String, Long> allocated = new ConcurrentHashMap<>();
            Outcome vm = boot(server, "discard", Map.of(), event -> {
                if (event.startsWith("measure ")) {
                    allocated.put(event.substring("measure ".length()), allocatedBytes(server.image()));
                }
            });
            assertThat(vm.passed()).as(vm.describe()).isTrue();
            assertThat(vm.number("verified_after-trim")).isEqualTo(1);
            assertThat(allocated).as("measured at both events").containsKeys("written", "trimmed");
            assertThat(allocated.get("written")).as("64 MiB victim file reached the image").isGreaterThan(64 * MIB);
            if (vm.number("discard_max_bytes") == 0) {
                assertThat(vm.number("fstrim_rc")).as("fstrim without discard support").isNotZero();
                assertThat(vm.info("fstrim_output")).containsIgnoringCase("not supported");
                assertThat(allocated.get("trimmed")).as("nothing was unmapped").isGreaterThan(64 * MIB);
                Assumptions.abort("TODO(UNMAP): the LUN reports no logical block provisioning, so the kernel"
                        + " disabled discard (provisioning_mode=" + vm.info("provisioning_mode")
                        + ") and fstrim was refused: '" + vm.info("fstrim_output")
                        + "'. This test checks UNMAP end to end once the LUN advertises it.");
            }
            assertThat(vm.number("fstrim_rc")).isZero();
            assertThat(allocated.get("written") - allocated.get("trimmed"))
                    .as("bytes the trim gave back to the thin image (" + allocated + ")")
                    .isGreaterThanOrEqualTo(48 * MIB);
        }
    }

    @Test
    void targetRestartUnderWriteLoadLosesNothingAcknowledged() {
        try (PlatterProcess server = PlatterProcess.start("LinuxInitiatorIT-restart", "256M")) {
            int[] restarts = {0};
            Outcome vm = boot(server, "restart", Map.of(), event -> {
                if (event.equals("restart-target")) {
                    server.restart();
                    restarts[0]++;
                }
            });
            assertThat(vm.passed()).as(vm.describe()).isTrue();
            assertThat(restarts[0]).as("target restarts").isEqualTo(1);
            assertThat(vm.number("iscsid_recoveries")).as("iscsid: 'operational after recovery'").isPositive();
            long acked = vm.number("acked");
            assertThat(acked).as("files acknowledged after recovery (I/O resumed)")
                    .isGreaterThanOrEqualTo(vm.number("acked_at_recovery") + 10);
            assertThat(vm.number("verified_after-restart")).as("acknowledged files intact").isEqualTo(acked);
            assertThat(vm.number("verified_after-relogin")).isEqualTo(acked);
            server.stop();
            assertHostFsckClean(server);
        }
    }

    @Test
    void chapLoginWithNodeSessionAuthSettings() {
        String user = "vm-user";
        String secret = "vm-secret-16byte";
        try (PlatterProcess server = PlatterProcess.start("LinuxInitiatorIT-chap", (port, dataDir) -> """
                server:
                  portals: ["127.0.0.1:%d"]
                  data-dir: %s
                targets:
                  - iqn: %s
                    chap: {user: %s, secret: "%s", mutual-user: vm-target, mutual-secret: "target-secret-16"}
                    luns:
                      - {id: 0, image: lun0.img, size: 128M}
                """.formatted(port, dataDir.toAbsolutePath(), PlatterProcess.IQN, user, secret))) {
            Map<String, String> chap = new LinkedHashMap<>();
            chap.put("VM_MB", "16");
            chap.put("VM_CHAP_USER", user);
            chap.put("VM_CHAP_PASS", secret);
            chap.put("VM_CHAP_USER_IN", "vm-target");
            chap.put("VM_CHAP_PASS_IN", "target-secret-16");
            chap.put("VM_CHAP_BAD_PASS", "not-the-secret-1");
            Outcome vm = boot(server, "chap", chap, event -> { });
            assertThat(vm.passed()).as(vm.describe()).isTrue();
            // iscsiadm exits 24 (ISCSI_ERR_LOGIN_AUTH_FAILED) for a refused CHAP response
            assertThat(vm.number("bad_login_rc")).as("iscsiadm exit code with a wrong secret").isEqualTo(24);
            assertThat(vm.number("verified_after-relogin")).isEqualTo(vm.number("verified_same-session"));
            assertThat(vm.console()).doesNotContain(secret);
        }
    }

    @Test
    @Disabled("TODO(resize): online resize is not in the target yet (own issue). Then: grow the LUN"
            + " under a mounted ext4, iscsiadm -m session --rescan, the new size in /sys/block, resize2fs,"
            + " fsck clean.")
    void onlineResizeIsSeenAfterRescan() {
    }

    private static Outcome boot(PlatterProcess server, String scenario, Map<String, String> more,
                                Consumer<String> onEvent) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("VM_PORT", Integer.toString(server.port()));
        settings.put("VM_IQN", PlatterProcess.IQN);
        settings.put("VM_SCENARIO", scenario);
        settings.putAll(more);
        return LinuxInitiatorVm.run(server.workDir().resolve("vm"), settings, onEvent, VM_TIMEOUT);
    }

    /** e2fsck on the host of the partition the guest made (it starts at 1 MiB), daemon stopped. */
    private static void assertHostFsckClean(PlatterProcess server) {
        Path part = server.workDir().resolve("partition1.img");
        Tools.runOk("dd", "if=" + server.image(), "of=" + part, "bs=1M", "skip=1", "conv=sparse");
        Tools.Result fsck = Tools.run("e2fsck", "-f", "-n", part.toString());
        assertThat(fsck.ok()).as("host e2fsck of the image the target wrote\n" + fsck.describe()).isTrue();
        Tools.runOk("rm", "-f", part.toString());
    }

    private static long allocatedBytes(Path file) {
        String[] f = Tools.runOk("stat", "-c", "%b %B", file.toString()).trim().split("\\s+");
        return Long.parseLong(f[0]) * Long.parseLong(f[1]);
    }
}
