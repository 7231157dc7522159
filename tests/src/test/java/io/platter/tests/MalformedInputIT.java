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
