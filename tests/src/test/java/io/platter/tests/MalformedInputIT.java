package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.RawIscsiConnection;
import io.platter.tests.support.RawPdu;
import io.platter.tests.support.RawScsiSession;
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
    void unknownOpcodeWithoutTheImmediateBitConsumesItsCmdSn() throws IOException {
        try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), READ_TIMEOUT_MS)) {
            Ffp s = Ffp.login(c);
            RawPdu bad = RawPdu.withOpcode(0x1e, 0x2002, s.cmdSn, s.expStatSn);
            c.send(bad);
            s.expectReject(bad, 0x05);
            // RFC 7143 §4.2.2.1: the Reject consumed that CmdSN; the next one must not wait for it.
            s.cmdSn++;
            s.expectAlive();
        }
    }

    @Test
    void dataOutForAnUnknownTaskIsRejectedWithItsHeaderAndTheConnectionLives() throws IOException {
        try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), READ_TIMEOUT_MS)) {
            Ffp s = Ffp.login(c);
            RawPdu out = RawPdu.dataOut(true, 0, 0x7777, 0xffffffff, s.expStatSn, 0, 0, new byte[512]);
            c.send(out);
            // RFC 7143 §11.17.1: 0x09 Invalid PDU field (no such task).
            s.expectReject(out, 0x09);
            s.expectAlive();
        }
    }

    @Test
    void loginRequestInFullFeaturePhaseIsRejectedWithItsHeaderAndTheConnectionLives() throws IOException {
        try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), READ_TIMEOUT_MS)) {
            Ffp s = Ffp.login(c);
            RawPdu login = RawPdu.loginRequest(true, 1, 3, 0x2003, s.cmdSn, s.expStatSn, new byte[0], -1);
            c.send(login);
            s.expectReject(login, 0x04);
            s.expectAlive();
        }
    }

    @Test
    void readWithImmediateDataIsRejectedWithItsHeaderThenClosed() throws IOException {
        try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), READ_TIMEOUT_MS)) {
            Ffp s = Ffp.login(c);
            RawPdu read = RawPdu.scsiCommand(false, 0xc1, 0, 0x2004, 512, s.cmdSn, s.expStatSn,
                    new byte[] {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0}, new byte[512]);
            c.send(read);
            s.expectReject(read, 0x04);
            c.expectClosed("after rejecting a READ with immediate data");
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
            assertThat(r.data()).as("the Reject data is the rejected BHS as sent").isEqualTo(rejected.bhs());
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

    /**
     * A SCSI Command whose AHS has an undefined type is a format error (RFC 7143 §7.7): a Reject,
     * then the connection closes. A Reject alone would leave the command's CmdSN a gap (§7.3) that
     * kept every later command, such as this TEST UNIT READY, waiting without an answer.
     */
    @Test
    void garbageAhsOnACommandIsRejectedAndTheConnectionCloses() throws IOException {
        try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), READ_TIMEOUT_MS)) {
            RawIscsiConnection.Session s = c.login(FUZZ_INITIATOR, PlatterProcess.IQN);
            byte[] command = new byte[RawPdu.BHS_LENGTH + 4];
            command[0] = 0x01;                   // SCSI Command
            command[1] = (byte) 0x81;            // F, SIMPLE
            command[4] = 1;                      // TotalAHSLength: one word
            java.nio.ByteBuffer.wrap(command).putInt(16, 0x3001).putInt(24, s.expCmdSn())
                    .putInt(28, s.statSn() + 1);
            command[48] = 0;                     // AHSLength 1
            command[49] = 1;
            command[50] = 0x7f;                  // AHSType 0x7f: undefined (§11.2.2.2)
            c.send(command);
            RawPdu tur = RawPdu.withOpcode(0x01, 0x3002, s.expCmdSn() + 1, s.statSn() + 1);
            c.send(tur);
            RawPdu reject = c.read().orElseThrow(() -> new AssertionError("closed without a Reject"));
            assertThat(reject.opcode()).as(reject.toString()).isEqualTo(RawPdu.OP_REJECT);
            assertThat(reject.dataSegmentLength()).as("Reject carries the rejected BHS").isEqualTo(48);
            Optional<RawPdu> next = c.read();
            assertThat(next).as("the connection closes after the format error").isEmpty();
        }
        server.assertNoInternalErrors();
    }

    /**
     * A write longer than the target accepts is refused by the transport before any Data-Out, with
     * sense from the SCSI core: after MODE SELECT sets D_SENSE (control page, SPC-5 §7.5.8) it is
     * descriptor-format sense (response code 72h), like every other sense of the unit.
     */
    @Test
    void refusedOversizedWriteHasSenseInTheUnitsFormat() throws IOException {
        try (RawScsiSession s = RawScsiSession.login(server.port(), "iqn.2026-11.io.platter:dsense",
                PlatterProcess.IQN)) {
            s.takeUnitAttentions();
            setDescriptorSense(s, true);
            try {
                byte[] write10 = {0x2a, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 0};
                RawScsiSession.Result r = s.writeWithoutData(write10, 33 << 20);
                assertThat(r.status()).isEqualTo(RawScsiSession.CHECK_CONDITION);
                assertThat(r.sense()[0] & 0x7f).as("descriptor format sense").isEqualTo(0x72);
                assertThat(r.senseCode()).isEqualTo("5/24/00");
            } finally {
                setDescriptorSense(s, false);
            }
        }
        server.assertNoInternalErrors();
    }

    /** MODE SENSE(6) of the control page, then MODE SELECT(6) of it with D_SENSE set or cleared. */
    private static void setDescriptorSense(RawScsiSession s, boolean on) throws IOException {
        RawScsiSession.Result sensed = s.command(new byte[] {0x1a, 0x08, 0x0a, 0, (byte) 0xff, 0}, null, 0xff);
        assertThat(sensed.status()).as("MODE SENSE " + sensed.senseCode()).isEqualTo(RawScsiSession.GOOD);
        byte[] data = sensed.data();
        int pageLength = (data[5] & 0xff) + 2;
        byte[] list = new byte[4 + pageLength];  // header of zeros, no block descriptors
        System.arraycopy(data, 4, list, 4, pageLength);
        list[4] &= 0x3f;                         // PS is reserved in MODE SELECT
        list[6] = (byte) (on ? list[6] | 0x04 : list[6] & ~0x04);
        RawScsiSession.Result selected = s.command(new byte[] {0x15, 0x10, 0, 0, (byte) list.length, 0}, list, 0);
        assertThat(selected.status()).as("MODE SELECT " + selected.senseCode()).isEqualTo(RawScsiSession.GOOD);
    }

    private static byte[] loginText() {
        return RawPdu.text("InitiatorName=" + FUZZ_INITIATOR, "SessionType=Normal",
                "TargetName=" + PlatterProcess.IQN);
    }

    private static RawPdu validLogin() {
        return RawPdu.loginRequest(true, 1, 3, 1, 0, 0, loginText(), -1);
    }
}
