package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.RawIscsiConnection;
import io.platter.tests.support.RawPdu;
import io.platter.tests.support.Tools;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code platter session list} shows what an operator needs to tell sessions apart (target,
 * initiator, ISID, TSIH, portal, source, connections and CIDs, CHAP user, digests, login time);
 * {@code platter session logout} sends the initiator an Asynchronous Message "logout requested"
 * (RFC 7143 §11.9.1: AsyncEvent 1, Parameter3 = seconds to log out in) and drops the session when
 * the initiator does not log out in time. Raw iSCSI connections over real sockets.
 */
@Timeout(300)
class SessionsIT {
    static final String IQN = PlatterProcess.IQN;
    static final String HOST = "iqn.2026-12.io.platter:sessions-host";
    static final String USER = "alice";
    static final String SECRET = "alice-secret-16b";
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void sessionListShowsTheDetailsAndLogoutAsksTheInitiatorThenDropsIt() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("SessionsIT", (port, dataDir) -> """
                server:
                  portals: ["127.0.0.1:%d"]
                  data-dir: %s
                targets:
                  - iqn: %s
                    chap: {user: %s, secret: "%s"}
                    luns:
                      - {id: 0, image: lun0.img, size: 16M}
                """.formatted(port, dataDir.toAbsolutePath(), IQN, USER, SECRET))) {
            try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), 20_000)) {
                RawIscsiConnection.Negotiated n = c.login(HOST, IQN, new RawIscsiConnection.Chap(USER, SECRET),
                        "HeaderDigest=CRC32C,None");
                assertThat(n.answers()).containsEntry("HeaderDigest", "CRC32C");
                c.digests(true, false);
                int tsih = n.session().tsih();

                String table = server.cliOk("session", "list");
                assertThat(table).as(table).contains("TARGET", "INITIATOR", "ISID", "TSIH", "PORTAL", "SOURCE",
                        "CONNS", "CIDS", "CHAP USER", "HDR DIGEST", "DATA DIGEST", "LOGIN TIME");
                JsonNode s = only(server.cliOk("session", "list", "--json"));
                assertThat(s.path("target").asText()).isEqualTo(IQN);
                assertThat(s.path("initiator").asText()).isEqualTo(HOST);
                assertThat(s.path("isid").asText()).matches("[0-9a-f]{12}");
                assertThat(s.path("tsih").asInt()).isEqualTo(tsih);
                assertThat(s.path("portal").asText()).isEqualTo("127.0.0.1:" + server.port());
                assertThat(s.path("source").asText()).isEqualTo("127.0.0.1");
                assertThat(s.path("connections").asInt()).isEqualTo(1);
                assertThat(s.path("cids").toString()).isEqualTo("[0]");
                assertThat(s.path("chapUser").asText()).isEqualTo(USER);
                assertThat(s.path("headerDigest").asText()).isEqualTo("CRC32C");
                assertThat(s.path("dataDigest").asText()).isEqualTo("None");
                assertThat(s.path("loginTime").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d([+-]\\d\\d:\\d\\d|Z)");
                assertThat(table).contains(IQN, HOST, s.path("isid").asText(), "127.0.0.1:" + server.port(), USER,
                        "CRC32C", s.path("loginTime").asText());

                // An initiator that ignores the request is dropped after Parameter3 seconds.
                CompletableFuture<Tools.Result> logout = CompletableFuture.supplyAsync(() ->
                        server.cli("session", "logout", Integer.toString(tsih), "--time", "2"));
                RawPdu async = asyncMessage(c);
                assertThat(async.u8(36)).as("AsyncEvent 1: target requests logout").isEqualTo(1);
                assertThat(async.u16(42)).as("Parameter3: seconds to log out in").isEqualTo(2);
                awaitClosed(c);
                Tools.Result dropped = logout.get(60, TimeUnit.SECONDS);
                assertThat(dropped.ok()).as(dropped.describe()).isTrue();
                assertThat(dropped.output()).contains("TSIH " + tsih, "did not log out within 2 s and was closed");
                assertThat(server.cliOk("session", "list")).doesNotContain(HOST);
            }

            // An initiator that logs out, named by initiator name and ISID.
            try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), 20_000)) {
                RawIscsiConnection.Session session = c.login(HOST, IQN, new RawIscsiConnection.Chap(USER, SECRET))
                        .session();
                String isid = only(server.cliOk("session", "list", "--json")).path("isid").asText();
                CompletableFuture<Tools.Result> logout = CompletableFuture.supplyAsync(() ->
                        server.cli("session", "logout", HOST, isid, "--target", IQN, "--time", "30"));
                RawPdu async = asyncMessage(c);
                assertThat(async.u16(42)).isEqualTo(30);
                c.send(RawPdu.logout(true, 0, 0x77, 0, session.expCmdSn(), async.int32(24) + 1));
                RawPdu answer = c.read().orElseThrow();
                while (answer.opcode() == RawPdu.OP_NOP_IN) {
                    answer = c.read().orElseThrow();
                }
                assertThat(answer.opcode()).isEqualTo(RawPdu.OP_LOGOUT_RESPONSE);
                assertThat(answer.u8(2)).as("connection or session closed successfully").isZero();
                Tools.Result done = logout.get(60, TimeUnit.SECONDS);
                assertThat(done.ok()).as(done.describe()).isTrue();
                assertThat(done.output()).contains(HOST, "logged out").doesNotContain("closed");
            }
            Tools.Result none = server.cli("session", "logout", "4242");
            assertThat(none.ok()).as(none.describe()).isFalse();
            assertThat(none.output()).contains("no session TSIH 4242");
            assertThat(server.logText()).contains("operator request: asking session");
            server.assertNoInternalErrors();
        }
    }

    /** The one session of a {@code session list --json}. */
    private static JsonNode only(String json) throws Exception {
        JsonNode all = JSON.readTree(json);
        assertThat(all.size()).as(json).isEqualTo(1);
        return all.get(0);
    }

    /** Reads until the target closes the connection, skipping NOP-In pings (keep-alive on a slow machine). */
    private static void awaitClosed(RawIscsiConnection c) throws Exception {
        for (Optional<RawPdu> p = c.read(); p.isPresent(); p = c.read()) {
            assertThat(p.get().opcode()).as("only pings until the close: " + p.get()).isEqualTo(RawPdu.OP_NOP_IN);
        }
    }

    /** The next Asynchronous Message (RFC 7143 §11.9), skipping NOP-In pings. */
    private static RawPdu asyncMessage(RawIscsiConnection c) throws Exception {
        for (int i = 0; i < 10; i++) {
            Optional<RawPdu> p = c.read();
            assertThat(p).as("the target closed before asking to log out").isPresent();
            if (p.get().opcode() == RawPdu.OP_ASYNC_MESSAGE) {
                return p.get();
            }
        }
        throw new AssertionError("no Asynchronous Message");
    }
}
