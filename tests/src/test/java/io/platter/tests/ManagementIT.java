package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.RawIscsiConnection;
import io.platter.tests.support.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Access management through the CLI against a running daemon, checked with libiscsi's own
 * logins: {@code acl add|remove} and {@code chap set|clear} (targets and discovery) take effect
 * for the next login, and SIGHUP reloads an edited config file like {@code platter reload}.
 * No CLI output and no daemon log line ever shows a secret.
 */
@Timeout(300)
class ManagementIT {
    private static final String IQN = PlatterProcess.IQN;
    private static final String HOST_A = "iqn.2026-11.io.platter:host-a";
    private static final String HOST_B = "iqn.2026-11.io.platter:host-b";
    private static final String STRANGER = "iqn.2026-11.io.platter:stranger";
    private static final String SECRET = "it-target-secret-16";
    private static final String MUTUAL = "it-mutual-secret-16";
    private static final String DISCOVERY = "it-disco-secret-016";

    private static Tools.Result inq(PlatterProcess server, String initiator, String credentials) {
        String url = "iscsi://" + (credentials == null ? "" : credentials + "@") + server.portal() + "/" + IQN + "/0";
        return Tools.run("iscsi-inq", "-i", initiator, url);
    }

    private static void loginWorks(Tools.Result r) {
        assertThat(r.ok()).as(r.describe()).isTrue();
        assertThat(r.output()).contains("DIRECT_ACCESS");
    }

    private static void loginRefused(Tools.Result r, String why) {
        assertThat(r.ok()).as(r.describe()).isFalse();
        assertThat(r.output()).as(r.describe()).contains(why);
    }

    @Test
    void aclAddAdmitsAndAclRemoveRefusesTheNextLogin() {
        try (PlatterProcess server = PlatterProcess.start("management-acl", "16M")) {
            assertThat(server.cliOk("acl", "add", IQN, HOST_A)).contains(HOST_A);
            server.cliOk("acl", "add", IQN, HOST_B.toUpperCase());
            assertThat(server.cliOk("acl", "list", IQN)).contains(HOST_A, HOST_B);
            loginWorks(inq(server, HOST_A, null));
            loginRefused(inq(server, STRANGER, null), "Target not found");
            String hidden = Tools.runOk("iscsi-ls", "-i", STRANGER, server.portalUrl());
            assertThat(hidden).as("discovery hides the target from others").doesNotContain(IQN);

            assertThat(server.cliOk("acl", "remove", IQN, HOST_A)).contains("removed");
            loginRefused(inq(server, HOST_A, null), "Target not found");
            loginWorks(inq(server, HOST_B, null));

            Tools.result(server.cli("acl", "add", IQN, HOST_B), "already in the ACL");
            Tools.result(server.cli("acl", "remove", IQN, HOST_A), "not in the ACL");
            Tools.result(server.cli("acl", "add", IQN, "host-c"), "bad initiator name");
            Tools.result(server.cli("acl", "add", "iqn.2026-11.io.platter:nope", HOST_A), "no target");
            Tools.result(server.cli("acl", "remove", IQN, HOST_B), "--open");
            loginRefused(inq(server, STRANGER, null), "Target not found");

            server.cliOk("acl", "remove", IQN, HOST_B, "--open");
            loginWorks(inq(server, STRANGER, null));
            // Persisted: the next start has the same (empty) ACL and the earlier changes never came back.
            server.cliOk("acl", "add", IQN, HOST_B);
            server.restart();
            loginRefused(inq(server, HOST_A, null), "Target not found");
            loginWorks(inq(server, HOST_B, null));
        }
    }

    @Test
    void chapSetAndClearForATargetAndForDiscoveryNeverShowTheSecrets() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("management-chap", "16M")) {
            List<Tools.Result> cli = new ArrayList<>();
            Path secretFile = server.workDir().resolve("target.secret");
            Files.writeString(secretFile, SECRET + "\n");
            Path mutualFile = server.workDir().resolve("mutual.secret");
            Files.writeString(mutualFile, MUTUAL + "\n");
            Path discoveryFile = server.workDir().resolve("discovery.secret");
            Files.writeString(discoveryFile, DISCOVERY + "\n");

            cli.add(server.cli("chap", "set", IQN, "--user", "alice", "--secret-file", secretFile.toString(),
                    "--mutual-user", "platter", "--mutual-secret-file", mutualFile.toString()));
            assertThat(cli.get(0).ok()).as(cli.get(0).describe()).isTrue();
            loginRefused(inq(server, HOST_A, null), "Authentication failure");
            loginWorks(inq(server, HOST_A, "alice%" + SECRET));
            Tools.Result mutual = Tools.run("env", "LIBISCSI_CHAP_TARGET_USERNAME=platter",
                    "LIBISCSI_CHAP_TARGET_PASSWORD=" + MUTUAL, "iscsi-inq", "-i", HOST_A,
                    "iscsi://alice%" + SECRET + "@" + server.portal() + "/" + IQN + "/0");
            loginWorks(mutual);
            cli.add(server.cli("target", "list"));
            assertThat(cli.get(1).output()).contains("mutual").contains("alice");
            cli.add(server.cli("target", "list", "--json"));
            assertThat(cli.get(2).output()).contains("\"chapUser\" : \"alice\"");

            cli.add(server.cliWithInput(discoveryFile, "chap", "set", "--discovery", "--user", "disco",
                    "--secret-stdin"));
            assertThat(cli.get(3).ok()).as(cli.get(3).describe()).isTrue();
            Tools.Result noCredentials = Tools.run("iscsi-ls", "-i", HOST_A, server.portalUrl());
            assertThat(noCredentials.ok()).as(noCredentials.describe()).isFalse();
            assertThat(Tools.runOk("iscsi-ls", "-i", HOST_A, "iscsi://disco%" + DISCOVERY + "@" + server.portal()))
                    .contains("Target:" + IQN);

            cli.add(server.cli("chap", "set", IQN, "--user", "alice", "--secret", SECRET, "--discovery"));
            Tools.result(cli.get(4), "not both");
            cli.add(server.cli("chap", "set", IQN, "--user", "alice", "--secret", SECRET,
                    "--mutual-user", "platter", "--mutual-secret", SECRET));
            Tools.result(cli.get(5), "must differ from secret");
            cli.add(server.cli("chap", "set", IQN, "--user", "alice", "--secret", "short-1"));
            Tools.result(cli.get(6), "only 7 bytes");
            cli.add(server.cli("chap", "set", IQN, "--user", "alice", "--secret", "short-1", "--allow-short-secret"));
            assertThat(cli.get(7).output()).contains("warning", "only 7 bytes");

            cli.add(server.cli("chap", "clear", IQN));
            cli.add(server.cli("chap", "clear", "--discovery"));
            loginWorks(inq(server, HOST_A, null));
            assertThat(Tools.runOk("iscsi-ls", "-i", HOST_A, server.portalUrl())).contains("Target:" + IQN);

            for (Tools.Result r : cli) {
                assertThat(r.output()).as(r.describe()).doesNotContain(SECRET, MUTUAL, DISCOVERY, "short-1");
            }
            assertThat(cli.get(0).command()).as("read from files, not the command line").doesNotContain(SECRET, MUTUAL);
            String log = Files.readString(server.log(), StandardCharsets.ISO_8859_1);
            assertThat(log).contains("CHAP of " + IQN, "CHAP of discovery")
                    .doesNotContain(SECRET, MUTUAL, DISCOVERY, "short-1");
        }
    }

    @Test
    void sighupReloadsTheEditedFileAndKeepsSessions() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("management-sighup", PlatterProcess.declared("16M"))) {
            Path config = server.workDir().resolve("platter.yaml");
            String original = Files.readString(config);
            try (RawIscsiConnection held = RawIscsiConnection.open(server.port(), 10_000)) {
                held.login(HOST_A, IQN);
                Files.writeString(config, original + """
                              - id: 1
                                image: lun1.img
                                size: 16M
                                provisioning: thin
                        """);
                hangUp(server, "SIGHUP: reloaded: 1 change(s)");
                String ls = Tools.runOk("iscsi-ls", "-s", server.portalUrl());
                assertThat(ls).as(ls).contains("Lun:0").contains("Lun:1");
                assertThat(server.cliOk("session", "list")).as("the session logged in before stays").contains(HOST_A);

                Files.writeString(config, "targets: [oops\n");
                hangUp(server, "SIGHUP: reload failed");
                assertThat(server.isAlive()).isTrue();
                String still = Tools.runOk("iscsi-inq", server.portalUrl() + "/" + IQN + "/1");
                assertThat(still).as("the running configuration stays").contains("DIRECT_ACCESS");
                assertThat(server.cliOk("session", "list")).contains(HOST_A);
            }
        }
    }

    /** Sends SIGHUP and waits for {@code logLine} in the daemon log. */
    private static void hangUp(PlatterProcess server, String logLine) throws InterruptedException {
        int before = count(server.logText(), logLine);
        Tools.runOk("kill", "-HUP", String.valueOf(server.pid()));
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (count(server.logText(), logLine) > before) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + logLine + "' after SIGHUP\n" + server.logText());
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
