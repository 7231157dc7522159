package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.RawIscsiConnection;
import io.platter.tests.support.RawPdu;
import io.platter.tests.support.Tools;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hand-built malformed PDUs (RFC 7143 §11) on a raw socket: the target answers or closes as the
 * RFC allows, never hangs, and stays available to other initiators (checked after each case).
 */
@Timeout(120)
class MalformedInputIT {

    private static final String FUZZ_INITIATOR = "iqn.2026-11.io.platter:fuzz";
    private static final int READ_TIMEOUT_MS = 10_000;
    private static PlatterProcess server;

    @BeforeAll
    static void start() {
        server = PlatterProcess.start("MalformedInputIT", "64M");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** After every case the daemon is alive and a fresh initiator still works. */
    @AfterEach
    void serverStillServesOthers() {
        assertThat(server.isAlive()).as("daemon alive\n" + server.logText()).isTrue();
        String out = Tools.runOk("iscsi-inq", server.url());
        assertThat(out).as(out).contains("DIRECT_ACCESS");
    }

    @Test
    void truncatedBhsThenClose() throws IOException {
        try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), READ_TIMEOUT_MS)) {
            byte[] login = validLogin().toBytes();
            c.send(Arrays.copyOf(login, 20));
        }
    }

    @Test
    void hugeDataSegmentIsRefusedWithoutReadingIt() throws IOException {
        try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), READ_TIMEOUT_MS)) {
            byte[] text = loginText();
            // DataSegmentLength is 24 bits: 0xffffff = 16 MiB - 1, far above any MaxRecvDataSegmentLength.
            c.send(RawPdu.loginRequest(true, 1, 3, 1, 0, 0, text, 0xffffff).toBytes());
            Optional<RawPdu> answer = c.read();
            // Login phase errors are Login Responses (RFC 7143 §11.13.5), not Reject PDUs.
            answer.ifPresent(r -> {
                assertThat(r.opcode()).as(r.toString()).isEqualTo(RawPdu.OP_LOGIN_RESPONSE);
                assertThat(r.statusClass()).as("status class of " + r).isEqualTo(2);
            });
        }
    }

    @Test
    void unknownOpcodeAsFirstPdu() throws IOException {
        try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), READ_TIMEOUT_MS)) {
            c.send(RawPdu.withOpcode(RawPdu.IMMEDIATE | 0x1f, 1, 0, 0));
            Optional<RawPdu> answer = c.read();
            answer.ifPresent(r -> {
                if (r.opcode() == RawPdu.OP_LOGIN_RESPONSE) {
                    assertThat(r.statusClass()).as("login status class of " + r).isNotZero();
                } else {
                    assertThat(r.opcode()).as(r.toString()).isEqualTo(RawPdu.OP_REJECT);
                }
            });
        }
    }

    @Test
    void garbageLoginTextIsAnInitiatorError() throws IOException {
        byte[] junk = {'n', 'o', '-', 'e', 'q', 'u', 'a', 'l', 's', 0, (byte) 0xff, (byte) 0xfe, 0x01, 0x7f,
            (byte) 0x80, 'x', 0};
        try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), READ_TIMEOUT_MS)) {
            c.send(RawPdu.loginRequest(true, 1, 3, 1, 0, 0, junk, -1));
            RawPdu r = c.read().orElseThrow(() -> new AssertionError("closed without a Login Response"));
            assertThat(r.opcode()).as(r.toString()).isEqualTo(RawPdu.OP_LOGIN_RESPONSE);
            assertThat(r.statusClass()).as("status class (02 = initiator error) of " + r).isEqualTo(2);
        }
    }

    @Test
    void unknownOpcodeInFullFeaturePhaseIsRejectedAndTheConnectionLives() throws IOException {
        try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), READ_TIMEOUT_MS)) {
            RawIscsiConnection.Session s = c.login(FUZZ_INITIATOR, PlatterProcess.IQN);
            assertThat(s.tsih()).as("TSIH").isNotZero();

            c.send(RawPdu.withOpcode(RawPdu.IMMEDIATE | 0x1f, 0x2001, s.expCmdSn(), s.statSn() + 1));
            RawPdu reject = c.read().orElseThrow(() -> new AssertionError("closed instead of Reject"));
            assertThat(reject.opcode()).as(reject.toString()).isEqualTo(RawPdu.OP_REJECT);
            // RFC 7143 §11.17.1: 0x05 Command not supported, 0x09 Invalid PDU field (0x04 is Protocol Error).
            assertThat(reject.u8(2)).as("reject reason").isIn(0x05, 0x09);
            assertThat(reject.dataSegmentLength()).as("Reject carries the rejected BHS").isEqualTo(48);
            assertThat(reject.data()[0] & 0x3f).as("opcode inside the Reject data").isEqualTo(0x1f);

            int itt = 0x2002;
            c.send(RawPdu.nopOut(true, itt, reject.int32(28), reject.int32(24) + 1));
            RawPdu nopIn = c.read().orElseThrow(() -> new AssertionError("closed instead of NOP-In"));
            assertThat(nopIn.opcode()).as(nopIn.toString()).isEqualTo(RawPdu.OP_NOP_IN);
            assertThat(nopIn.int32(16)).as("NOP-In ITT").isEqualTo(itt);
        }
    }

    private static byte[] loginText() {
        return RawPdu.text("InitiatorName=" + FUZZ_INITIATOR, "SessionType=Normal",
                "TargetName=" + PlatterProcess.IQN);
    }

    private static RawPdu validLogin() {
        return RawPdu.loginRequest(true, 1, 3, 1, 0, 0, loginText(), -1);
    }
}
