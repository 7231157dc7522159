package io.platter.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.platter.iscsi.login.LoginStatus;
import io.platter.iscsi.pdu.Bhs;
import io.platter.iscsi.pdu.DataIn;
import io.platter.iscsi.pdu.LoginResponse;
import io.platter.iscsi.pdu.LogoutRequest;
import io.platter.iscsi.pdu.LogoutResponse;
import io.platter.iscsi.pdu.NopIn;
import io.platter.iscsi.pdu.NopOut;
import io.platter.iscsi.pdu.Pdu;
import io.platter.iscsi.pdu.ScsiResponsePdu;
import io.platter.iscsi.pdu.TaskManagementRequest;
import io.platter.iscsi.pdu.TaskManagementResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sessions with several connections (RFC 7143 §4.2.2.1, §6.3.1, §6.3.4-5), reinstatement, logout
 * reasons and the scope of task management, on embedded pipelines sharing one registry.
 */
class MultipleConnectionsTest {
    static final long ISID = 0x0002_3d00_0001L;

    private final Server server = new Server();
    private final List<Initiator> opened = new ArrayList<>();

    private Initiator connect() {
        Initiator i = new Initiator(server);
        opened.add(i);
        return i;
    }

    @AfterEach
    void finish() {
        opened.forEach(Initiator::finish);
        server.runIo();
    }

    private Initiator leading() {
        Initiator a = connect();
        LoginResponse r = a.login(Server.TARGET, ISID, 0, 1, 1, "MaxConnections", "4");
        assertThat(r.statusClass()).isZero();
        return a;
    }

    @Test
    void secondConnectionJoinsWithTheSessionsTsihAndSharesTheWindow() {
        Initiator a = leading();
        Initiator b = connect();
        LoginResponse joined = b.login(Server.TARGET, ISID, a.tsih, 2, 1, "MaxConnections", "4");
        assertThat(joined.statusClass()).isZero();
        assertThat(joined.tsih()).isEqualTo(a.tsih);
        assertThat(server.sessions.all()).singleElement()
                .satisfies(s -> assertThat(s.connections()).hasSize(2));

        // CmdSN 2 arrives on B before CmdSN 1 on A: B's command waits for A's.
        b.send(Initiator.testUnitReady(0x22, 2));
        assertThat(b.responses()).as("held until CmdSN 1 arrives").isEmpty();
        a.send(Initiator.testUnitReady(0x21, 1));
        ScsiResponsePdu ra = a.only(ScsiResponsePdu.class);
        ScsiResponsePdu rb = b.only(ScsiResponsePdu.class);
        assertThat(ra.itt()).as("status on the connection that carried the command").isEqualTo(0x21);
        assertThat(rb.itt()).isEqualTo(0x22);
        assertThat(rb.expCmdSn()).isEqualTo(3);
        // StatSN counts per connection.
        assertThat(ra.statSn()).isEqualTo(a.statSn + 1);
        assertThat(rb.statSn()).isEqualTo(b.statSn + 1);
        ra.release();
        rb.release();
    }

    @Test
    void joiningAnUnknownSessionFails020a() {
        leading();
        Initiator b = connect();
        LoginResponse r = b.login(Server.TARGET, ISID + 1, 0x4444, 2, 1);
        assertThat(r.statusClass()).isEqualTo(LoginStatus.SESSION_DOES_NOT_EXIST.statusClass());
        assertThat(r.statusDetail()).isEqualTo(LoginStatus.SESSION_DOES_NOT_EXIST.detail());
        assertThat(b.ch.isOpen()).isFalse();
    }

    @Test
    void moreConnectionsThanNegotiatedFail0206() {
        Initiator a = connect();
        a.login(Server.TARGET, ISID, 0, 1, 1, "MaxConnections", "2");
        assertThat(connect().login(Server.TARGET, ISID, a.tsih, 2, 1).statusClass()).isZero();
        LoginResponse third = connect().login(Server.TARGET, ISID, a.tsih, 3, 1);
        assertThat(third.statusClass()).isEqualTo(2);
        assertThat(third.statusDetail()).isEqualTo(6);
    }

    @Test
    void loginWithTheCidOfALiveConnectionReplacesIt() {
        Initiator a = leading();
        Initiator b = connect();
        b.login(Server.TARGET, ISID, a.tsih, 2, 1);
        Initiator b2 = connect();
        assertThat(b2.login(Server.TARGET, ISID, a.tsih, 2, 1).statusClass()).isZero();
        assertThat(b.ch.isOpen()).as("the old connection with CID 2 is closed").isFalse();
        assertThat(a.ch.isOpen()).as("the session survives").isTrue();
        assertThat(server.sessions.all()).singleElement()
                .satisfies(s -> assertThat(s.connections()).containsExactly(a.connection, b2.connection));
    }

    @Test
    void sessionReinstatementClosesTheOldSessionAndItsTasks() {
        Initiator old = leading();
        old.takePowerOn();
        old.send(Initiator.read10(0x10, 1, 8));
        assertThat(server.io).isNotEmpty();
        Initiator fresh = connect();
        LoginResponse r = fresh.login(Server.TARGET, ISID, 0, 1, 1);
        assertThat(r.statusClass()).isZero();
        assertThat(r.tsih()).isNotEqualTo(old.tsih);
        assertThat(old.ch.isOpen()).isFalse();
        assertThat(server.sessions.all()).singleElement().satisfies(s -> assertThat(s.tsih()).isEqualTo(r.tsih()));
        server.runIo(); // the old read completes into an aborted task: nothing is sent, nothing leaks
        assertThat(old.drain()).isZero();
    }

    @Test
    void logoutOfOneConnectionKeepsTheSession() {
        Initiator a = leading();
        Initiator b = connect();
        b.login(Server.TARGET, ISID, a.tsih, 2, 1);
        // Logout of connection 2 sent on connection 1 (RFC 7143 §11.14.1 allows it).
        a.send(new LogoutRequest(true, LogoutRequest.CLOSE_CONNECTION, 0x30, 2, 1, 0, Unpooled.EMPTY_BUFFER));
        LogoutResponse r = a.only(LogoutResponse.class);
        assertThat(r.response()).isEqualTo(LogoutResponse.CLOSED);
        r.release();
        b.ch.runPendingTasks();
        assertThat(b.ch.isOpen()).isFalse();
        assertThat(a.ch.isOpen()).isTrue();
        assertThat(server.sessions.all()).hasSize(1);
        a.send(new NopOut(true, 0, 0x31, Bhs.RESERVED_TAG, 1, 0, Unpooled.EMPTY_BUFFER));
        a.only(NopIn.class).release();
    }

    @Test
    void logoutOfTheSessionClosesEveryConnection() {
        Initiator a = leading();
        Initiator b = connect();
        b.login(Server.TARGET, ISID, a.tsih, 2, 1);
        b.send(new LogoutRequest(false, LogoutRequest.CLOSE_SESSION, 0x40, 2, 1, 0, Unpooled.EMPTY_BUFFER));
        LogoutResponse r = b.only(LogoutResponse.class);
        assertThat(r.response()).isEqualTo(LogoutResponse.CLOSED);
        r.release();
        a.ch.runPendingTasks();
        assertThat(a.ch.isOpen()).isFalse();
        assertThat(b.ch.isOpen()).isFalse();
        assertThat(server.sessions.all()).isEmpty();
    }

    @Test
    void logoutForRecoveryIsNotSupportedBelowErl2() {
        Initiator a = leading();
        a.send(new LogoutRequest(true, LogoutRequest.REMOVE_CONNECTION_FOR_RECOVERY, 0x50, 1, 1, 0,
                Unpooled.EMPTY_BUFFER));
        LogoutResponse r = a.only(LogoutResponse.class);
        assertThat(r.response()).isEqualTo(LogoutResponse.RECOVERY_NOT_SUPPORTED);
        r.release();
        assertThat(a.ch.isOpen()).isTrue();
    }

    @Test
    void failureOfOneConnectionWithoutLogoutFailsTheSession() {
        Initiator a = leading();
        Initiator b = connect();
        b.login(Server.TARGET, ISID, a.tsih, 2, 1);
        b.ch.close();
        a.ch.runPendingTasks();
        assertThat(a.ch.isOpen()).isFalse();
        assertThat(server.sessions.all()).isEmpty();
    }

    private static TaskManagementRequest tmf(int function, int itt, int referenced, int cmdSn) {
        return new TaskManagementRequest(true, function, 0, itt, referenced, cmdSn, 0, 0, 0, Unpooled.EMPTY_BUFFER);
    }

    @Test
    void lunResetAbortsTheTasksOfEverySessionAndNoStatusFollows() {
        Initiator a = leading();
        Initiator other = connect();
        assertThat(other.login(Server.TARGET, ISID + 1, 0, 1, 1).statusClass()).isZero();
        a.takePowerOn();
        other.takePowerOn();
        a.send(Initiator.read10(0x10, 1, 8));
        other.send(Initiator.read10(0x11, 1, 8));
        assertThat(server.io).hasSize(2);
        a.send(tmf(5, 0x12, 0, 2));
        assertThat(a.responses()).as("no response while aborted reads still execute (SAM-5 §5.6)").isEmpty();
        server.runIo();
        TaskManagementResponse r = a.only(TaskManagementResponse.class);
        assertThat(r.response()).isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
        r.release();
        assertThat(other.responses()).as("the other session's task is aborted too").isEmpty();
    }

    @Test
    void abortTaskAnswersOnlyAfterTheAbortedWriteEndedAndAReadSeesIt() {
        Initiator a = leading();
        a.takePowerOn();
        io.netty.buffer.ByteBuf data = io.netty.buffer.PooledByteBufAllocator.DEFAULT.buffer(4096);
        for (int i = 0; i < 4096; i++) {
            data.writeByte(0x5a);
        }
        a.send(Initiator.write10(0x10, 1, 8, data));
        assertThat(server.io).as("the write is executing").hasSize(1);
        a.send(tmf(1, 0x11, 0x10, 2));
        assertThat(a.responses()).as("the write may still change the medium: no answer yet").isEmpty();
        server.runIo();
        TaskManagementResponse r = a.only(TaskManagementResponse.class);
        assertThat(r.response()).isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
        assertThat(r.maxCmdSn() - r.expCmdSn() + 1).as("the aborted write gave its slot back").isEqualTo(128);
        r.release();
        a.send(Initiator.read10(0x12, 2, 8));
        server.runIo();
        List<Pdu> out = a.responses();
        assertThat(out).singleElement().isInstanceOfSatisfying(DataIn.class, d -> {
            assertThat(d.itt()).isEqualTo(0x12);
            for (int i = 0; i < 4096; i++) {
                assertThat(d.data().getByte(i)).isEqualTo((byte) 0x5a);
            }
        });
        out.forEach(Pdu::release);
    }

    @Test
    void logoutOfAConnectionReturnsTheSlotsOfItsTasksWaitingForDataOut() {
        Initiator a = leading();
        Initiator b = connect();
        b.login(Server.TARGET, ISID, a.tsih, 2, 1);
        // An 8 KiB WRITE without immediate data: delivered, then waits for the Data-Out its R2T asks for.
        b.send(Initiator.write10(0x20, 1, 16, Unpooled.EMPTY_BUFFER));
        assertThat(b.only(io.platter.iscsi.pdu.ReadyToTransfer.class).itt()).isEqualTo(0x20);
        a.send(new LogoutRequest(true, LogoutRequest.CLOSE_CONNECTION, 0x30, 2, 2, 0, Unpooled.EMPTY_BUFFER));
        a.only(LogoutResponse.class).release();
        b.ch.runPendingTasks();
        assertThat(b.ch.isOpen()).isFalse();
        a.send(new NopOut(false, 0, 0x31, Bhs.RESERVED_TAG, 2, 0, Unpooled.EMPTY_BUFFER));
        NopIn nop = a.only(NopIn.class);
        assertThat(nop.maxCmdSn() - nop.expCmdSn() + 1).as("the whole window is open again").isEqualTo(128);
        nop.release();
    }

    @Test
    void abortTaskSetReachesOnlyThisSession() {
        Initiator a = leading();
        Initiator other = connect();
        other.login(Server.TARGET, ISID + 1, 0, 1, 1);
        a.takePowerOn();
        other.takePowerOn();
        a.send(Initiator.read10(0x10, 1, 8));
        other.send(Initiator.read10(0x11, 1, 8));
        a.send(tmf(2, 0x12, 0, 2));
        assertThat(a.responses()).isEmpty();
        server.runIo();
        a.only(TaskManagementResponse.class).release();
        List<Pdu> out = other.responses();
        assertThat(out).singleElement().isInstanceOfSatisfying(DataIn.class,
                d -> assertThat(d.itt()).isEqualTo(0x11));
        out.forEach(Pdu::release);
    }

    @Test
    void abortOfACompletedTaskAnswersFunctionCompleteAndReassignIsNotSupported() {
        Initiator a = leading();
        a.send(tmf(1, 0x12, 0x99, 1));
        TaskManagementResponse r = a.only(TaskManagementResponse.class);
        assertThat(r.response()).isEqualTo(TaskManagementResponse.FUNCTION_COMPLETE);
        r.release();
        a.send(tmf(8, 0x13, 0x99, 1));
        r = a.only(TaskManagementResponse.class);
        assertThat(r.response()).isEqualTo(TaskManagementResponse.REASSIGNMENT_NOT_SUPPORTED);
        r.release();
    }

    @Test
    void sessionsPerTargetAreLimited() {
        Server small = new Server(ServerLimits.defaults().withSessions(4, 1, 64));
        Initiator a = new Initiator(small);
        opened.add(a);
        assertThat(a.login(Server.TARGET, ISID, 0, 1, 1).statusClass()).isZero();
        Initiator b = new Initiator(small);
        opened.add(b);
        LoginResponse r = b.login(Server.TARGET, ISID + 1, 0, 1, 1);
        assertThat(r.statusClass()).isEqualTo(3);
        assertThat(r.statusDetail()).isEqualTo(2);
        // Reinstating the same ISID is not a new session and is allowed.
        Initiator c = new Initiator(small);
        opened.add(c);
        assertThat(c.login(Server.TARGET, ISID, 0, 1, 1).statusClass()).isZero();
    }
}
