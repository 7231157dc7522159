package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * CHAP (RFC 7143 §12.1.3) and ACLs against libiscsi and QEMU: one-way CHAP in the URL
 * ({@code user%secret@}), mutual CHAP through libiscsi's LIBISCSI_CHAP_TARGET_* variables,
 * discovery CHAP, and an ACL that hides a target from other initiators. Every connection comes
 * from 127.0.0.1, so the tests with wrong secrets run last and the very last one checks that
 * the fifth wrong guess in a minute blocks even the right secret.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChapIT {
    static final String PRIVATE = "iqn.2026-11.io.platter:private";
    static final String CLIENT = "iqn.2026-11.io.platter:client";
    static final String STRANGER = "iqn.2026-11.io.platter:stranger";
    static final String USER = "alice";
    static final String SECRET = "alice-secret-16b";
    static final String TARGET_USER = "platter";
    static final String TARGET_SECRET = "target-secret-16";
    static final String DISCOVERY = "disco%discovery-secret";

    private static PlatterProcess server;

    @BeforeAll
    static void start() {
        server = PlatterProcess.start("ChapIT", (port, dataDir) -> """
                server:
                  portals: ["127.0.0.1:%d"]
                  data-dir: %s
                  discovery-chap: {user: disco, secret: "discovery-secret"}
                targets:
                  - iqn: %s
                    chap: {user: %s, secret: "%s", mutual-user: %s, mutual-secret: "%s"}
                    luns:
                      - {id: 0, image: lun0.img, size: 64M}
                  - iqn: %s
                    acl: [%s]
                    luns:
                      - {id: 0, image: private.img, size: 64M}
                """.formatted(port, dataDir.toAbsolutePath(), PlatterProcess.IQN, USER, SECRET,
                TARGET_USER, TARGET_SECRET, PRIVATE, CLIENT));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String url(String credentials, String iqn) {
        return "iscsi://" + (credentials == null ? "" : credentials + "@") + server.portal() + "/" + iqn + "/0";
    }

    @Test
    @Order(1)
    void oneWayChapLogsIn() {
        String out = Tools.runOk("iscsi-inq", url(USER + "%" + SECRET, PlatterProcess.IQN));
        assertThat(out).as(out).contains("Peripheral Device Type:DIRECT_ACCESS");
    }

    @Test
    @Order(6)
    void wrongSecretMissingCredentialsAndWrongUserFail() {
        for (String creds : new String[] {USER + "%wrong-secret-16b", null, "bob%" + SECRET}) {
            Tools.Result r = Tools.run("iscsi-inq", url(creds, PlatterProcess.IQN));
            assertThat(r.ok()).as(r.describe()).isFalse();
            assertThat(r.output()).as(r.describe()).contains("Authentication failure");
        }
    }

    @Test
    @Order(2)
    void mutualChapAuthenticatesTheTargetToo() {
        Tools.Result good = Tools.run("env", "LIBISCSI_CHAP_TARGET_USERNAME=" + TARGET_USER,
                "LIBISCSI_CHAP_TARGET_PASSWORD=" + TARGET_SECRET,
                "iscsi-inq", url(USER + "%" + SECRET, PlatterProcess.IQN));
        assertThat(good.ok()).as(good.describe()).isTrue();
        assertThat(good.output()).contains("DIRECT_ACCESS");
        // An initiator expecting another target secret must refuse our answer.
        Tools.Result impostor = Tools.run("env", "LIBISCSI_CHAP_TARGET_USERNAME=" + TARGET_USER,
                "LIBISCSI_CHAP_TARGET_PASSWORD=not-the-target-1",
                "iscsi-inq", url(USER + "%" + SECRET, PlatterProcess.IQN));
        assertThat(impostor.ok()).as(impostor.describe()).isFalse();
        assertThat(impostor.output()).contains("CHAP_R");
    }

    @Test
    @Order(3)
    void qemuImgLogsInWithUserAndPassword() {
        String opts = qemuOpts();
        Tools.Result r = Tools.run("qemu-img", "info", "--object", "secret,id=sec0,data=" + SECRET,
                "--image-opts", opts);
        assertThat(r.ok()).as(r.describe()).isTrue();
        assertThat(r.output()).contains("virtual size: 64 MiB");
    }

    @Test
    @Order(7)
    void qemuImgWithAWrongPasswordFails() {
        Tools.Result wrong = Tools.run("qemu-img", "info", "--object", "secret,id=sec0,data=wrong-secret-16b",
                "--image-opts", qemuOpts());
        assertThat(wrong.ok()).as(wrong.describe()).isFalse();
    }

    private static String qemuOpts() {
        return "driver=iscsi,transport=tcp,portal=" + server.portal() + ",target=" + PlatterProcess.IQN
                + ",lun=0,user=" + USER + ",password-secret=sec0";
    }

    @Test
    @Order(4)
    void discoveryNeedsItsOwnChap() {
        Tools.Result none = Tools.run("iscsi-ls", "iscsi://" + server.portal());
        assertThat(none.ok()).as(none.describe()).isFalse();
        String out = Tools.runOk("iscsi-ls", "-i", CLIENT, "iscsi://" + DISCOVERY + "@" + server.portal());
        assertThat(out).as(out).contains("Target:" + PlatterProcess.IQN).contains("Target:" + PRIVATE);
    }

    @Test
    @Order(5)
    void initiatorOutsideTheAclNeitherLogsInNorSeesTheTarget() {
        Tools.Result refused = Tools.run("iscsi-inq", "-i", STRANGER, url(null, PRIVATE));
        assertThat(refused.ok()).as(refused.describe()).isFalse();
        assertThat(refused.output()).as("a hidden target answers like a missing one").contains("Target not found");
        String listed = Tools.runOk("iscsi-ls", "-i", STRANGER, "iscsi://" + DISCOVERY + "@" + server.portal());
        assertThat(listed).as(listed).contains("Target:" + PlatterProcess.IQN).doesNotContain(PRIVATE);
        String allowed = Tools.runOk("iscsi-inq", "-i", CLIENT, url(null, PRIVATE));
        assertThat(allowed).contains("DIRECT_ACCESS");
    }

    @Test
    @Order(8)
    void noSecretReachesTheLog() throws Exception {
        Tools.run("iscsi-inq", url(USER + "%" + SECRET, PlatterProcess.IQN));
        Tools.run("iscsi-inq", url(USER + "%wrong-secret-16b", PlatterProcess.IQN));
        String log = Files.readString(server.log(), StandardCharsets.ISO_8859_1);
        assertThat(log).contains("AUTHENTICATION_FAILURE")
                .doesNotContain(SECRET, TARGET_SECRET, "discovery-secret", "wrong-secret-16b");
    }

    @Test
    @Order(9)
    void repeatedWrongGuessesBlockEvenTheRightSecret() {
        for (int i = 0; i < 5; i++) {
            Tools.run("iscsi-inq", url(USER + "%wrong-guess-" + i, PlatterProcess.IQN));
        }
        Tools.Result right = Tools.run("iscsi-inq", url(USER + "%" + SECRET, PlatterProcess.IQN));
        assertThat(right.ok()).as(right.describe()).isFalse();
        assertThat(right.output()).contains("Authentication failure");
        assertThat(server.logText()).contains("failed CHAP logins within 60 s from 127.0.0.1");
    }
}
