package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.HostileInitiator;
import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.RawPdu;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A hostile initiator against the daemon over real sockets, before and during login (issue 21
 * findings 1, 8, 11, 12 and 13): forged names and log lines, lock-out by look-alike discovery
 * sessions, connection floods, redeclared names, target enumeration, CHAP guessing spread over
 * many source addresses. The guessing test blocks its target for a minute, so it runs last.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileLoginIT {
    static final String PRIVATE = "iqn.2026-11.io.platter:private";
    static final String SECURE = "iqn.2026-11.io.platter:secure";
    static final String CLIENT = "iqn.2026-11.io.platter:client";
    static final String STRANGER = "iqn.2026-11.io.platter:stranger";
    static final String USER = "guarded";
    static final String SECRET = "guarded-secret-16";
    static final long ISID = 0x0002_3d00_0100L;

    private static PlatterProcess server;

    @BeforeAll
    static void start() {
        server = PlatterProcess.start("HostileLoginIT", (port, dataDir) -> """
                server:
                  portals: ["127.0.0.1:%d"]
                  data-dir: %s
                targets:
                  - iqn: %s
                    luns:
                      - {id: 0, image: open.img, size: 16M}
                  - iqn: %s
                    acl: [%s]
                    luns:
                      - {id: 0, image: private.img, size: 16M}
                  - iqn: %s
                    chap: {user: %s, secret: "%s"}
                    luns:
                      - {id: 0, image: secure.img, size: 16M}
                """.formatted(port, dataDir.toAbsolutePath(), PlatterProcess.IQN, PRIVATE, CLIENT, SECURE, USER,
                SECRET));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            try {
                server.assertNoInternalErrors();
            } finally {
                server.close();
            }
        }
    }

    private static HostileInitiator connect(String source, long isid) throws IOException {
        return HostileInitiator.connect(source, server.port(), isid);
    }

    private static void assertStatus(Optional<RawPdu> answer, int statusClass, int detail) {
        RawPdu r = answer.orElseThrow(() -> new AssertionError("closed without a login response"));
        assertThat(r.opcode()).isEqualTo(RawPdu.OP_LOGIN_RESPONSE);
        assertThat(r.statusClass() + "/" + r.statusDetail()).as(r.toString()).isEqualTo(statusClass + "/" + detail);
    }

    @Test
    @Order(1)
    void malformedNamesAreRefusedAndNoValueForgesALogLine() throws IOException {
        for (String name : new String[] {"iqn.2026-11.io.platter:x\n<0>forged by initiator name",
                "iqn.2026-11.io.platter:two words", "not-an-iscsi-name"}) {
            try (HostileInitiator h = connect("127.0.0.1", ISID)) {
                assertStatus(h.loginOperational("InitiatorName=" + name, "TargetName=" + PlatterProcess.IQN), 2, 0);
            }
        }
        try (HostileInitiator h = connect("127.0.0.1", ISID)) {
            assertStatus(h.loginOperational("InitiatorName=" + CLIENT, "InitiatorAlias=host\r\n<0>forged alias",
                    "TargetName=" + PlatterProcess.IQN), 2, 0);
        }
        try (HostileInitiator h = connect("127.0.0.1", ISID)) {
            RawPdu r = h.chapLogin(CLIENT, SECURE, USER + "\n<0>forged by CHAP_N", "wrong-secret-1234");
            assertThat(r.statusClass() + "/" + r.statusDetail()).isEqualTo("2/1");
        }
        String log = server.logText();
        assertThat(log.lines()).as(log).noneMatch(l -> l.startsWith("<0>") || l.startsWith("forged"));
        assertThat(log).contains("CHAP_N " + USER + "\\n<0>forged by CHAP_N");
    }

    @Test
    @Order(2)
    void discoverySessionsNamedLikeAVictimDoNotLockItOut() throws IOException {
        List<HostileInitiator> lookalikes = new ArrayList<>();
        try {
            for (int i = 0; i < 64; i++) {
                HostileInitiator h = connect("127.0.0." + (30 + i % 4), ISID + 1 + i);
                lookalikes.add(h);
                assertStatus(h.loginOperational("InitiatorName=" + CLIENT, "SessionType=Discovery"), 0, 0);
            }
            try (HostileInitiator victim = connect("127.0.0.1", ISID)) {
                // Before: 03/02 "out of resources", the 64 discovery sessions counted against the name.
                assertStatus(victim.loginOperational("InitiatorName=" + CLIENT, "TargetName=" + PRIVATE), 0, 0);
            }
        } finally {
            for (HostileInitiator h : lookalikes) {
                h.close();
            }
        }
    }

    @Test
    @Order(3)
    void connectionsFromOneAddressAreCapped() throws IOException {
        int cap = 256; // ServerLimits.defaults().connectionsPerAddress()
        List<HostileInitiator> flood = new ArrayList<>();
        try {
            for (int i = 0; i < cap; i++) {
                flood.add(connect("127.0.0.2", ISID + i));
            }
            // A connection held open: logging in still works on the last one admitted.
            assertStatus(flood.get(cap - 1).loginOperational("InitiatorName=" + STRANGER, "SessionType=Discovery"),
                    0, 0);
            try (HostileInitiator over = connect("127.0.0.2", ISID + cap)) {
                assertThat(over.read()).as("the connection past the cap is closed at once").isEmpty();
            }
            try (HostileInitiator other = connect("127.0.0.3", ISID)) {
                assertStatus(other.loginOperational("InitiatorName=" + STRANGER, "SessionType=Discovery"), 0, 0);
            }
        } finally {
            for (HostileInitiator h : flood) {
                h.close();
            }
        }
    }

    @Test
    @Order(4)
    void theInitiatorNameCannotBeChangedAfterTheAclCheck() throws IOException {
        try (HostileInitiator h = connect("127.0.0.1", ISID)) {
            assertStatus(h.login(true, false, 0, 1, "InitiatorName=" + CLIENT, "TargetName=" + PRIVATE,
                    "AuthMethod=None"), 0, 0);
            // Before: accepted, and the session was registered under the stranger's name.
            assertStatus(h.login(true, false, 1, 3, "InitiatorName=" + STRANGER), 2, 0);
            assertThat(h.read()).as("closed after the refusal").isEmpty();
        }
        try (HostileInitiator h = connect("127.0.0.1", ISID)) {
            assertStatus(h.login(true, false, 0, 1, "InitiatorName=" + CLIENT, "TargetName=" + PRIVATE,
                    "AuthMethod=None"), 0, 0);
            assertStatus(h.login(true, false, 1, 3, "SessionType=Discovery"), 2, 0);
        }
    }

    @Test
    @Order(5)
    void aHiddenTargetAnswersLikeAMissingOne() throws IOException {
        try (HostileInitiator hidden = connect("127.0.0.1", ISID);
             HostileInitiator missing = connect("127.0.0.1", ISID + 1)) {
            // Before: 02/02 for the hidden target, 02/03 for the missing one.
            assertStatus(hidden.loginOperational("InitiatorName=" + STRANGER, "TargetName=" + PRIVATE), 2, 3);
            assertStatus(missing.loginOperational("InitiatorName=" + STRANGER,
                    "TargetName=iqn.2026-11.io.platter:missing"), 2, 3);
        }
    }

    @Test
    @Order(6)
    void sendTargetsNamesOnlyWhatTheInitiatorMayLogInTo() throws IOException {
        try (HostileInitiator stranger = connect("127.0.0.1", ISID);
             HostileInitiator client = connect("127.0.0.1", ISID + 1)) {
            assertStatus(stranger.loginOperational("InitiatorName=" + STRANGER, "SessionType=Discovery"), 0, 0);
            // Before: the CHAP-protected target was listed to an unauthenticated discovery session.
            assertThat(stranger.sendTargets()).containsExactly(PlatterProcess.IQN);
            assertStatus(client.loginOperational("InitiatorName=" + CLIENT, "SessionType=Discovery"), 0, 0);
            assertThat(client.sendTargets()).containsExactlyInAnyOrder(PlatterProcess.IQN, PRIVATE);
        }
    }

    @Test
    @Order(7)
    void chapGuessesSpreadOverManyAddressesBlockTheTarget() throws IOException {
        try (HostileInitiator h = connect("127.0.0.1", ISID)) {
            assertThat(h.chapLogin(CLIENT, SECURE, USER, SECRET).statusClass()).as("the right secret works").isZero();
        }
        // 4 guesses from each address stay under the per-address limit (5 a minute)...
        for (int a = 0; a < 5; a++) {
            for (int i = 0; i < 4; i++) {
                try (HostileInitiator h = connect("127.0.0." + (40 + a), ISID)) {
                    assertThat(h.chapLogin(CLIENT, SECURE, USER, "guess-" + a + "-" + i + "-0123456").statusDetail())
                            .isEqualTo(1);
                }
            }
        }
        // ...but not under the limit of the target's user from all addresses (20 a minute): even the right
        // secret is refused now, on this target.
        try (HostileInitiator h = connect("127.0.0.50", ISID)) {
            RawPdu r = h.chapLogin(CLIENT, SECURE, USER, SECRET);
            assertThat(r.statusClass() + "/" + r.statusDetail()).isEqualTo("2/1");
        }
        assertThat(server.logText()).contains("failed CHAP logins within 60 s from any address to " + SECURE
                + " as user " + USER);
    }
}
