package io.platter.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.platter.iscsi.pdu.Pdu;
import io.platter.iscsi.pdu.ReadyToTransfer;
import io.platter.iscsi.pdu.Reject;
import io.platter.iscsi.pdu.RejectReason;
import io.platter.iscsi.pdu.ScsiCommandPdu;
import io.platter.iscsi.pdu.ScsiResponsePdu;
import io.platter.scsi.ScsiStatus;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The memory bounds of one session ({@link SessionBudget}, issue 21 finding 2): immediate
 * commands beyond the bound are rejected with reason 0x06, and a write for whose data the session
 * has no room keeps none and ends in TASK SET FULL.
 */
class SessionBudgetTest {
    private final Server server = new Server();
    private Initiator initiator;

    @AfterEach
    void finish() {
        initiator.finish();
        server.runIo();
        assertThat(SessionBudget.globalDataOut()).as("every reservation given back").isZero();
    }

    private Initiator loggedIn() {
        initiator = new Initiator(server);
        assertThat(initiator.login(Server.TARGET, 0x0002_3d00_0001L, 0, 1, 1).statusClass()).isZero();
        initiator.takePowerOn();
        return initiator;
    }

    private static ScsiCommandPdu immediateRead(int itt, int cmdSn) {
        ScsiCommandPdu r = Initiator.read10(itt, cmdSn, 8);
        return new ScsiCommandPdu(true, true, true, false, 1, 0, itt, r.expectedDataTransferLength(), cmdSn, 0,
                r.cdb(), Unpooled.EMPTY_BUFFER);
    }

    @Test
    void immediateCommandsBeyondTheBoundAreRejectedWithReason6() {
        Initiator i = loggedIn();
        for (int n = 0; n < SessionBudget.IMMEDIATE_COMMANDS; n++) {
            i.send(immediateRead(0x100 + n, 1));
        }
        assertThat(i.responses()).as("all executing, none answered yet").isEmpty();
        i.send(immediateRead(0x200, 1));
        Reject reject = i.only(Reject.class);
        assertThat(reject.reason()).isEqualTo(RejectReason.IMMEDIATE_COMMAND_REJECT.wire()).isEqualTo(0x06);
        assertThat(reject.data().getInt(16)).as("the rejected ITT").isEqualTo(0x200);
        reject.release();
        server.runIo();
        assertThat(i.drain()).isEqualTo(SessionBudget.IMMEDIATE_COMMANDS);
        i.send(immediateRead(0x300, 1));
        server.runIo();
        List<Pdu> out = i.responses();
        assertThat(out).as("slots given back on completion").singleElement()
                .satisfies(p -> assertThat(p).isNotInstanceOf(Reject.class));
        out.forEach(Pdu::release);
    }

    @Test
    void aWriteWithoutRoomForItsDataEndsInTaskSetFull() {
        Initiator i = loggedIn();
        int big = 32 << 20; // the largest transfer; two of them fill the session's 64 MiB
        assertThat(2L * big).isEqualTo(SessionBudget.SESSION_DATA_OUT);
        for (int n = 0; n < 2; n++) {
            i.send(new ScsiCommandPdu(false, true, false, true, 1, 0, 0x10 + n, big, 1 + n, 0, write10Cdb(),
                    Unpooled.EMPTY_BUFFER));
        }
        List<Pdu> r2ts = i.responses();
        assertThat(r2ts).hasSize(2).allSatisfy(p -> assertThat(p).isInstanceOf(ReadyToTransfer.class));
        i.send(new ScsiCommandPdu(false, true, false, true, 1, 0, 0x20, 4096, 3, 0, write10Cdb(),
                Unpooled.EMPTY_BUFFER));
        ScsiResponsePdu full = i.only(ScsiResponsePdu.class);
        assertThat(full.itt()).isEqualTo(0x20);
        assertThat(full.status()).isEqualTo(ScsiStatus.TASK_SET_FULL.wire());
        full.release();
    }

    private static byte[] write10Cdb() {
        byte[] cdb = new byte[16];
        cdb[0] = 0x2a;
        cdb[8] = 8;
        return cdb;
    }
}
