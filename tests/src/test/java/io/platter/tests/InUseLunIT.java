package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.RawScsiSession;
import io.platter.tests.support.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15 item 6: taking a LUN away from a logged-in initiator (lun unmap, reload, volume
 * delete) is refused without --force, naming the session (initiator, address, ISID, TSIH); with
 * --force it proceeds and the initiator's next command to a LUN that stays reports REPORTED
 * LUNS DATA HAS CHANGED (06/3F/0E). Raw iSCSI sessions over real sockets; one daemon, the reload
 * case first (it edits the operator's file before any CLI change).
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InUseLunIT {
    static final String IQN = PlatterProcess.IQN;
    static final String OTHER = "iqn.2026-12.io.platter:other";
    static final String HOST = "iqn.2026-12.io.platter:in-use-host";
    static final byte[] TEST_UNIT_READY = new byte[6];
    static final String LUN1_OF_OTHER = "      - {id: 1, image: other1.img, size: 16M}\n";

    private static PlatterProcess server;

    @BeforeAll
    static void start() {
        server = PlatterProcess.start("InUseLunIT", (port, dataDir) -> """
                server:
                  portals: ["127.0.0.1:%d"]
                  data-dir: %s
                targets:
                  - iqn: %s
                    luns:
                      - {id: 0, image: other0.img, size: 16M}
                %s""".formatted(port, dataDir.toAbsolutePath(), OTHER, LUN1_OF_OTHER));
        // OTHER is declared in the file (the reload case); IQN is made through the CLI, so it lives in
        // the catalog and the CLI may change it.
        server.cliOk("target", "create", IQN);
        server.cliOk("volume", "create", "lun0", "--size", "16M", "--target", IQN, "--lun", "0");
        server.cliOk("volume", "create", "lun1", "--size", "16M", "--target", IQN, "--lun", "1");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.assertNoInternalErrors();
            server.close();
        }
    }

    /** A raw session that has addressed LUNs 0 and 1 (so both units know its I_T nexus) and taken their unit attentions. */
    private static RawScsiSession attached(String target) throws Exception {
        RawScsiSession s = RawScsiSession.login(server.port(), HOST, target);
        for (int lun = 0; lun < 2; lun++) {
            for (int i = 0; i < 4 && s.command(lun, TEST_UNIT_READY, null, 0).status() != RawScsiSession.GOOD; i++) {
                // each unit first reports POWER ON, RESET to a new nexus
            }
            assertThat(s.command(lun, TEST_UNIT_READY, null, 0).status()).isEqualTo(RawScsiSession.GOOD);
        }
        return s;
    }

    private static void namesTheSession(Tools.Result r) {
        assertThat(r.ok()).as(r.describe()).isFalse();
        assertThat(r.output()).as(r.describe()).contains("1 session(s) logged in", HOST, "from 127.0.0.1", "ISID ",
                "TSIH ", "--force");
    }

    @Test
    @Order(1)
    void reloadThatRemovesALunInUseIsRefusedUntilForced() throws Exception {
        Path config = server.workDir().resolve("platter.yaml");
        String original = Files.readString(config);
        assertThat(original).contains(LUN1_OF_OTHER);
        try (RawScsiSession s = attached(OTHER)) {
            Files.writeString(config, original.replace(LUN1_OF_OTHER, ""));
            Tools.Result refused = server.cli("reload");
            namesTheSession(refused);
            assertThat(refused.output()).contains("nothing was reloaded", "removing LUN 1 of " + OTHER,
                    "platter reload --force");
            assertThat(s.command(1, TEST_UNIT_READY, null, 0).status()).as("LUN 1 still served")
                    .isEqualTo(RawScsiSession.GOOD);

            assertThat(server.cliOk("reload", "--force")).contains("reloaded: 1 change(s)");
            RawScsiSession.Result next = s.command(0, TEST_UNIT_READY, null, 0);
            assertThat(next.status()).isEqualTo(RawScsiSession.CHECK_CONDITION);
            assertThat(next.senseCode()).as("REPORTED LUNS DATA HAS CHANGED").isEqualTo("6/3f/0e");
            assertThat(s.command(1, TEST_UNIT_READY, null, 0).senseCode()).as("LOGICAL UNIT NOT SUPPORTED")
                    .isEqualTo("5/25/00");
        }
        assertThat(server.logText()).contains("WARN", "removing LUN 1 of " + OTHER + " with --force");
    }

    @Test
    @Order(2)
    void unmapOfALunInUseIsRefusedUntilForcedThenTheInitiatorHearsOfIt() throws Exception {
        try (RawScsiSession s = attached(IQN)) {
            Tools.Result refused = server.cli("lun", "unmap", IQN, "1");
            namesTheSession(refused);
            assertThat(refused.output()).contains("removing LUN 1 of " + IQN + " is refused");
            assertThat(s.command(1, TEST_UNIT_READY, null, 0).status()).as("nothing changed")
                    .isEqualTo(RawScsiSession.GOOD);

            assertThat(server.cliOk("lun", "unmap", IQN, "1", "--force")).contains("LUN 1 of " + IQN + " unmapped");
            RawScsiSession.Result next = s.command(0, TEST_UNIT_READY, null, 0);
            assertThat(next.status()).isEqualTo(RawScsiSession.CHECK_CONDITION);
            assertThat(next.senseCode()).as("REPORTED LUNS DATA HAS CHANGED").isEqualTo("6/3f/0e");
            assertThat(s.command(0, TEST_UNIT_READY, null, 0).status()).as("reported once")
                    .isEqualTo(RawScsiSession.GOOD);
        }
        // Without sessions no --force is needed.
        server.cliOk("volume", "create", "spare", "--size", "16M", "--target", IQN, "--lun", "1");
        waitForNoSessions();
        server.cliOk("lun", "unmap", IQN, "1");
    }

    @Test
    @Order(3)
    void deletingAMappedVolumeInUseNamesTheSessions() throws Exception {
        server.cliOk("volume", "create", "busy", "--size", "16M", "--target", IQN, "--lun", "1");
        try (RawScsiSession s = attached(IQN)) {
            Tools.Result refused = server.cli("volume", "delete", "busy");
            namesTheSession(refused);
            assertThat(refused.output()).contains("deleting volume busy (LUN 1 of " + IQN + ") is refused");
            assertThat(s.command(1, TEST_UNIT_READY, null, 0).status()).isEqualTo(RawScsiSession.GOOD);

            server.cliOk("volume", "delete", "busy", "--force");
            assertThat(s.command(0, TEST_UNIT_READY, null, 0).senseCode()).isEqualTo("6/3f/0e");
        }
    }

    @Test
    @Order(4)
    void targetDeleteNamesTheSessionsInTheSameWords() throws Exception {
        String empty = "iqn.2026-12.io.platter:empty";
        server.cliOk("target", "create", empty);
        try (RawScsiSession s = RawScsiSession.login(server.port(), HOST, empty)) {
            Tools.Result refused = server.cli("target", "delete", empty);
            namesTheSession(refused);
            assertThat(refused.output()).contains("removing target " + empty + " is refused");
            assertThat(server.cliOk("target", "delete", empty, "--force")).contains("deleted");
        }
    }

    /** Sessions close asynchronously after the client's socket closes. */
    private static void waitForNoSessions() throws InterruptedException {
        for (int i = 0; i < 100 && server.cliOk("session", "list").contains(HOST); i++) {
            Thread.sleep(100);
        }
    }
}
