package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.RawIscsiConnection;
import io.platter.tests.support.RawPdu;
import io.platter.tests.support.Tools;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hand-built malformed PDUs (RFC 7143 §11) on a raw socket. Each case expects one precise
 * outcome, and a silent close never passes for an answer:
 * <ul>
 *   <li>in login phase, a Login Response with status class 2 (initiator error, §11.13.5), then a close;</li>
 *   <li>in full feature phase, a Reject (§11.17) carrying the rejected header, after which the same
 *       connection still answers a NOP-Out and a TEST UNIT READY; or, where the stream cannot be
 *       trusted any more, the Reject followed by a close;</li>
 *   <li>an initiator that stops mid-PDU and half-closes: the target closes too, without an answer.</li>
 * </ul>
 * After every case the daemon is alive and a fresh initiator still works; after the class, the
 * daemon recorded no internal error (no catch-all turned a bug into one of these answers).
 */
@Timeout(120)
class MalformedInputIT {

    private static final String FUZZ_INITIATOR = "iqn.2026-11.io.platter:fuzz";
    private static final int READ_TIMEOUT_MS = 10_000;
    private static final int GOOD = 0x00;
    private static final int CHECK_CONDITION = 0x02;
    private static PlatterProcess server;

    @BeforeAll
    static void start() {
        server = PlatterProcess.start("MalformedInputIT", "64M");
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

    /** After every case the daemon is alive and a fresh initiator still works. */
    @AfterEach
    void serverStillServesOthers() {
        assertThat(server.isAlive()).as("daemon alive\n" + server.logText()).isTrue();
        String out = Tools.runOk("iscsi-inq", server.url());
        assertThat(out).as(out).contains("DIRECT_ACCESS");
    }

    @Test
    void truncatedBhsThenHalfCloseIsClosedWithoutAnswer() throws IOException {
        try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), READ_TIMEOUT_MS)) {
            byte[] login = validLogin().toBytes();
            c.send(Arrays.copyOf(login, 20));
            c.shutdownOutput();
            c.expectClosed("end of stream 20 bytes into a BHS");
        }
    }

    @Test
    void hugeDataSegmentInLoginIsAnInitiatorErrorThenClose() throws IOException {
        try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), READ_TIMEOUT_MS)) {
            // DataSegmentLength is 24 bits: 0xffffff = 16 MiB - 1, far above the 8192 bytes a
            // target accepts before login negotiates MaxRecvDataSegmentLength (RFC 7143 §13.12).
            c.send(RawPdu.loginRequest(true, 1, 3, 1, 0, 0, loginText(), 0xffffff).toBytes());
            expectLoginRefused(c, "a 16 MiB login data segment");
        }
    }

    @Test
    void unknownOpcodeAsFirstPduIsAnInitiatorErrorThenClose() throws IOException {
        try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), READ_TIMEOUT_MS)) {
            c.send(RawPdu.withOpcode(RawPdu.IMMEDIATE | 0x1f, 1, 0, 0));
            expectLoginRefused(c, "opcode 0x1f before login");
        }
    }

    @Test
    void garbageLoginTextIsAnInitiatorErrorThenClose() throws IOException {
        byte[] junk = {'n', 'o', '-', 'e', 'q', 'u', 'a', 'l', 's', 0, (byte) 0xff, (byte) 0xfe, 0x01, 0x7f,
            (byte) 0x80, 'x', 0};
        try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), READ_TIMEOUT_MS)) {
            c.send(RawPdu.loginRequest(true, 1, 3, 1, 0, 0, junk, -1));
            expectLoginRefused(c, "login text without '='");
        }
    }

    @Test
    void unknownOpcodeInFullFeaturePhaseIsRejectedAndTheConnectionLives() throws IOException {
        try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), READ_TIMEOUT_MS)) {
            Ffp s = Ffp.login(c);
            RawPdu bad = RawPdu.withOpcode(RawPdu.IMMEDIATE | 0x1f, 0x2001, s.cmdSn, s.expStatSn);
            c.send(bad);
            // RFC 7143 §11.17.1: 0x05 Command not supported.
            s.expectReject(bad, 0x05);
            s.expectAlive();
        }
    }

    @Test
    void snackAtErrorRecoveryLevelZeroIsRejectedAndTheConnectionLives() throws IOException {
        try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), READ_TIMEOUT_MS)) {
            Ffp s = Ffp.login(c);
            RawPdu snack = RawPdu.snack(1, 0, 0xffffffff, 0, s.expStatSn, 0, 0);
            c.send(snack);
            // RFC 7143 §6.7: SNACK needs ErrorRecoveryLevel > 0; the login negotiated 0: Protocol Error.
            s.expectReject(snack, 0x04);
            s.expectAlive();
        }
    }

    @Test
    void oversizeDataSegmentInFullFeaturePhaseIsRejectedThenClosed() throws IOException {
        try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), READ_TIMEOUT_MS)) {
            Ffp s = Ffp.login(c);
            RawPdu write = RawPdu.scsiCommand(false, 0xa1, 0, 0x3001, 512, s.cmdSn, s.expStatSn,
                    new byte[] {0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0}, new byte[0]);
            byte[] bhs = write.bhs().clone();
            bhs[5] = (byte) 0xff;   // DataSegmentLength 16 MiB - 1, far beyond MaxRecvDataSegmentLength
            bhs[6] = (byte) 0xff;
            bhs[7] = (byte) 0xff;
            RawPdu huge = new RawPdu(bhs, new byte[0]);
            c.send(huge);
            // The framing cannot be trusted past this header (RFC 7143 §7.8): Reject, then close.
            s.expectReject(huge, 0x04);
            c.expectClosed("after rejecting an oversize data segment");
        }
    }

    @Test
    void truncatedCommandThenHalfCloseIsClosedWithoutAnswer() throws IOException {
        try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), READ_TIMEOUT_MS)) {
            Ffp s = Ffp.login(c);
            RawPdu tur = RawPdu.scsiCommand(false, 0x81, 0, 0x4001, 0, s.cmdSn, s.expStatSn, new byte[6], new byte[0]);
            c.send(Arrays.copyOf(tur.toBytes(), 30));
            c.shutdownOutput();
            c.expectClosed("end of stream 30 bytes into a SCSI Command BHS");
        }
    }

    /** A Login Response with status class 2 (initiator error), then the target closes. */
    private static void expectLoginRefused(RawIscsiConnection c, String what) throws IOException {
        RawPdu r = c.read().orElseThrow(() -> new AssertionError(what + ": closed without a Login Response"));
        // Login phase errors are Login Responses (RFC 7143 §11.13.5), not Reject PDUs.
        assertThat(r.opcode()).as(what + ": " + r).isEqualTo(RawPdu.OP_LOGIN_RESPONSE);
        assertThat(r.statusClass()).as(what + ": status class (2 = initiator error) of " + r).isEqualTo(2);
        c.expectClosed(what + ": after the refusing Login Response");
    }

    /** A raw full-feature-phase connection with its sequence numbers. */
    private static final class Ffp {
        private final RawIscsiConnection c;
        int cmdSn;
        int expStatSn;
        private int itt = 0x5000;

        private Ffp(RawIscsiConnection c, RawIscsiConnection.Session s) {
            this.c = c;
            this.cmdSn = s.expCmdSn();
            this.expStatSn = s.statSn() + 1;
        }

        static Ffp login(RawIscsiConnection c) throws IOException {
            RawIscsiConnection.Session s = c.login(FUZZ_INITIATOR, PlatterProcess.IQN);
            assertThat(s.tsih()).as("TSIH").isNotZero();
            return new Ffp(c, s);
        }

        /** The next PDU is a Reject with {@code reason} whose data is the rejected header (RFC 7143 §11.17). */
        void expectReject(RawPdu rejected, int reason) throws IOException {
            RawPdu r = c.read().orElseThrow(() -> new AssertionError("closed instead of a Reject of " + rejected));
            assertThat(r.opcode()).as(r.toString()).isEqualTo(RawPdu.OP_REJECT);
            assertThat(r.u8(2)).as("reject reason in " + r).isEqualTo(reason);
            assertThat(r.dataSegmentLength()).as("Reject carries the rejected BHS").isEqualTo(RawPdu.BHS_LENGTH);
            assertThat(r.data()[0] & 0x3f).as("opcode inside the Reject data").isEqualTo(rejected.opcode());
            assertThat(Arrays.copyOfRange(r.data(), 16, 20)).as("ITT inside the Reject data")
                    .isEqualTo(Arrays.copyOfRange(rejected.bhs(), 16, 20));
            track(r);
        }

        /** The connection still answers: a NOP-Out ping, then a TEST UNIT READY. */
        void expectAlive() throws IOException {
            int ping = itt++;
            c.send(RawPdu.nopOut(true, ping, cmdSn, expStatSn));
            RawPdu nopIn = next(ping, "NOP-In");
            assertThat(nopIn.opcode()).as(nopIn.toString()).isEqualTo(RawPdu.OP_NOP_IN);

            int tur = itt++;
            c.send(RawPdu.scsiCommand(false, 0x81, 0, tur, 0, cmdSn++, expStatSn, new byte[6], new byte[0]));
            RawPdu response = next(tur, "SCSI Response to TEST UNIT READY");
            assertThat(response.opcode()).as(response.toString()).isEqualTo(RawPdu.OP_SCSI_RESPONSE);
            assertThat(response.u8(3)).as("TEST UNIT READY status").isIn(GOOD, CHECK_CONDITION);
        }

        /** The next PDU for {@code tag}, skipping others (e.g. NOP-In pings); fails on a close. */
        private RawPdu next(int tag, String what) throws IOException {
            for (int i = 0; i < 16; i++) {
                RawPdu r = c.read().orElseThrow(() -> new AssertionError("closed instead of " + what));
                track(r);
                if (r.int32(16) == tag) {
                    return r;
                }
            }
            throw new AssertionError("no " + what + " among 16 PDUs");
        }

        private void track(RawPdu r) {
            if (r.opcode() != RawPdu.OP_DATA_IN && r.opcode() != RawPdu.OP_R2T) {
                expStatSn = r.int32(24) + 1;
            }
            if (r.int32(28) - cmdSn > 0) {
                cmdSn = r.int32(28);
            }
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
