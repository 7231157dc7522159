package io.platter.iscsi.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.platter.iscsi.pdu.AsyncMessage;
import io.platter.iscsi.pdu.Bhs;
import io.platter.iscsi.pdu.DataOut;
import io.platter.iscsi.pdu.LogoutRequest;
import io.platter.iscsi.pdu.LogoutResponse;
import io.platter.iscsi.pdu.NopIn;
import io.platter.iscsi.pdu.NopOut;
import io.platter.iscsi.pdu.Opcode;
import io.platter.iscsi.pdu.Pdu;
import io.platter.iscsi.pdu.PduDecoder;
import io.platter.iscsi.pdu.ProtocolException;
import io.platter.iscsi.pdu.RejectReason;
import io.platter.iscsi.pdu.ScsiCommandPdu;
import io.platter.iscsi.pdu.SnackRequest;
import io.platter.iscsi.pdu.TaskManagementRequest;
import io.platter.iscsi.pdu.TextRequest;
import io.platter.scsi.LunAddress;
import io.platter.scsi.ScsiCommand;
import io.platter.scsi.ScsiResponse;
import io.platter.scsi.ScsiStatus;
import io.platter.scsi.TaskAttribute;
import io.platter.scsi.sense.Sense;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The full feature phase of one connection (RFC 7143 §4.2, §7): commands in CmdSN order,
 * Data-Out gathering with R2Ts, Data-In and status back, NOP, text, task management and logout.
 * SCSI execution is handed to the session's {@link io.platter.scsi.ScsiTarget}; completions come
 * back onto this channel's event loop.
 *
 * <p>Confined to the channel's event loop.
 */
public final class FullFeatureHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(FullFeatureHandler.class);

    /** What the handler does with each opcode an initiator may send. */
    @FunctionalInterface
    private interface PduAction {
        void handle(FullFeatureHandler h, Pdu pdu) throws ProtocolException;
    }

    private static final Map<Opcode, PduAction> ACTIONS = new EnumMap<>(Opcode.class);

    static {
        ACTIONS.put(Opcode.SCSI_COMMAND, (h, p) -> h.onCommand((ScsiCommandPdu) p));
        ACTIONS.put(Opcode.DATA_OUT, (h, p) -> h.onDataOut((DataOut) p));
        ACTIONS.put(Opcode.NOP_OUT, (h, p) -> h.numbered(new WindowItem.Nop((NopOut) p), p.immediate(),
                ((NopOut) p).cmdSn()));
        ACTIONS.put(Opcode.TEXT_REQUEST, (h, p) -> h.numbered(new WindowItem.Text((TextRequest) p), p.immediate(),
                ((TextRequest) p).cmdSn()));
        ACTIONS.put(Opcode.LOGOUT_REQUEST, (h, p) -> h.numbered(new WindowItem.Logout((LogoutRequest) p),
                p.immediate(), ((LogoutRequest) p).cmdSn()));
        ACTIONS.put(Opcode.TASK_MANAGEMENT_REQUEST, (h, p) -> h.numbered(
                new WindowItem.TaskManagement((TaskManagementRequest) p), p.immediate(),
                ((TaskManagementRequest) p).cmdSn()));
        ACTIONS.put(Opcode.SNACK_REQUEST, (h, p) -> h.recovery.onSnack((SnackRequest) p, h.tasks));
    }

    private final Connection connection;
    private final Session session;
    private final Map<Integer, CommandTask> tasks = new HashMap<>();
    private final TextExchange text;
    private final TaskManagement taskManagement;
    /** R2Ts and the Data-Out they ask for. */
    private final DataOutCollector dataOut;
    /** Data-In PDUs and status of completed commands. */
    private final DataInSequencer sequencer;
    /** SNACKs and recovery R2Ts at ERL 1 (RFC 7143 §6.7), with the history they answer from. */
    private final Erl1Recovery recovery;
    /** Per-LUN recorders of this session, resolved on first use (LUN numbers box without allocating). */
    private final Map<Integer, IscsiMetrics.LunMetrics> lunMetrics = new HashMap<>();
    /** Commands waiting until the connection can take their Data-In. */
    private final DataInGate dataIn;
    /** Rate limit of the log lines a peer can repeat. */
    private final ConnectionLog log = new ConnectionLog();
    /** A flush task is queued on the event loop (see {@link #flushSoon}). */
    private boolean flushScheduled;
    /** The flush task of {@link #flushSoon}, made once. */
    private final Runnable scheduledFlush = this::scheduledFlush;

    FullFeatureHandler(Connection connection) {
        this.connection = connection;
        this.session = connection.session();
        this.text = new TextExchange(connection);
        this.taskManagement = new TaskManagement(connection);
        this.dataOut = new DataOutCollector(connection, log);
        this.recovery = new Erl1Recovery(connection, connection.parameters() != null
                && session.parameters().errorRecoveryLevel() >= 1, dataOut);
        this.sequencer = new DataInSequencer(connection, recovery.history());
        this.dataIn = new DataInGate(connection.channel(), this::begin);
        connection.channel().config().setWriteBufferWaterMark(DataInGate.WATER_MARK);
        connection.handler(this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Pdu pdu = (Pdu) msg;
        PduAction action = ACTIONS.get(pdu.opcode());
        try {
            if (action == null) {
                ProtocolException e = ProtocolException.rejecting(RejectReason.PROTOCOL_ERROR, "unexpected "
                        + pdu.opcode() + " in full feature phase", pdu);
                pdu.release();
                throw e;
            }
            if (session.discovery() && pdu.opcode() != Opcode.TEXT_REQUEST && pdu.opcode() != Opcode.LOGOUT_REQUEST
                    && pdu.opcode() != Opcode.NOP_OUT) {
                // RFC 7143 §4.3: a discovery session carries text, NOP and logout only.
                ProtocolException e = ProtocolException.rejecting(RejectReason.PROTOCOL_ERROR, pdu.opcode()
                        + " in a discovery session", pdu);
                pdu.release();
                throw e;
            }
            action.handle(this, pdu);
        } catch (ProtocolException e) {
            protocolError(e);
        }
    }

    /**
     * While the socket does not take what we write (the initiator does not read), nothing more is
     * read from it and no command starts: Data-In cannot pile up in the outbound buffer beyond the
     * high water mark plus what executing reads produce ({@link DataInGate}).
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        ctx.channel().config().setAutoRead(writable);
        if (writable) {
            dataIn.resume();
            flushSoon(); // what the tasks that started wrote (R2Ts, refusals)
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** One flush per socket read, however many PDUs it carried (R2Ts, NOP-Ins, rejects). */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    /**
     * Flushes once after the completions already queued on the event loop have written: under
     * queue depth, I/O threads finish several commands per loop wake-up, and one gathering
     * write for all of them saves a syscall per command.
     */
    private void flushSoon() {
        if (!flushScheduled) {
            flushScheduled = true;
            connection.channel().eventLoop().execute(scheduledFlush);
        }
    }

    private void scheduledFlush() {
        flushScheduled = false;
        connection.channel().flush();
    }

    // --- CmdSN ordering (RFC 7143 §4.2.2.1, §3.2.2.1) -----------------------------------------

    /**
     * Orders a numbered PDU by CmdSN in the session's window (one window across every connection
     * of the session, MC/S); a PDU queued from another connection is delivered by the connection
     * that carried it (allegiance, §5.1).
     */
    private void numbered(WindowItem item, boolean immediate, int cmdSn) {
        if (immediate) {
            item.deliverTo(this);
            return;
        }
        switch (session.window().offer(cmdSn, new Session.Queued(this, item))) {
            case DELIVER -> {
                item.deliverTo(this);
                for (Session.Queued next = session.window().next(); next != null; next = session.window().next()) {
                    next.item().deliverTo(next.owner());
                    if (next.owner() != this) {
                        next.owner().connection.channel().flush();
                    }
                }
            }
            case QUEUED -> {
            }
            case REFUSED -> {
                LOG.debug("dropping PDU with CmdSN {} outside window [{}, {}]", cmdSn,
                        session.window().expCmdSn(), session.window().maxCmdSn());
                item.discardFrom(this);
            }
        }
    }

    /** A command that never came to turn (refused by the window, or its connection closed). */
    void dropUndelivered(CommandTask task) {
        tasks.remove(task.itt);
        task.release();
        if (task.immediateSlot) {
            task.immediateSlot = false;
            session.budget().immediateEnded();
        }
    }

    void onText(TextRequest request) {
        text.onRequest(request, session);
    }

    void onTaskManagement(TaskManagementRequest request) {
        taskManagement.onRequest(request, session);
    }

    // --- SCSI commands and Data-Out (RFC 7143 §11.3, §11.7, §11.8) -----------------------------

    private void onCommand(ScsiCommandPdu pdu) throws ProtocolException {
        var p = session.parameters();
        int immediateLength = pdu.data().readableBytes();
        try {
            if (tasks.containsKey(pdu.itt())) {
                throw ProtocolException.rejecting(RejectReason.TASK_IN_PROGRESS, "ITT " + pdu.itt() + " in use",
                        pdu);
            }
            if (immediateLength > 0 && (!pdu.write() || !p.immediateData()
                    || immediateLength > Math.min(p.firstBurstLength(), pdu.expectedDataTransferLength()))) {
                throw ProtocolException.rejectingAndClosing(RejectReason.PROTOCOL_ERROR,
                        "unexpected immediate data of " + immediateLength + " bytes", pdu);
            }
        } catch (ProtocolException e) {
            pdu.release();
            throw e;
        }
        if (pdu.immediate() && !session.budget().admitImmediate()) {
            // Immediate commands bypass the CmdSN window, so they are bounded here (RFC 7143 §11.17.1).
            ProtocolException e = ProtocolException.rejecting(RejectReason.IMMEDIATE_COMMAND_REJECT, "more than "
                    + SessionBudget.IMMEDIATE_COMMANDS + " immediate commands in flight", pdu);
            pdu.release();
            throw e;
        }
        recovery.acknowledge(pdu.expStatSn());
        boolean keepsData = pdu.write() && pdu.expectedDataTransferLength() > 0
                && pdu.expectedDataTransferLength() <= connection.limits().maxTransferLength();
        CommandTask task = new CommandTask(pdu, keepsData ? connection.channel().alloc() : null);
        task.immediateSlot = pdu.immediate();
        if (keepsData) {
            task.reserve(session.budget());
        }
        if (immediateLength > 0) {
            task.append(pdu.data().retain());
        }
        pdu.data().release();
        task.unsolicitedEnd = task.writing()
                ? (p.initialR2T() ? immediateLength : Math.min(p.firstBurstLength(), task.expectedLength))
                : 0;
        task.nextR2tOffset = task.unsolicitedEnd;
        tasks.put(task.itt, task);
        numbered(new WindowItem.Command(task), pdu.immediate(), pdu.cmdSn());
    }

    void startTask(CommandTask task) {
        if (task.aborted) {
            return;
        }
        task.delivered = true;
        session.window().started();
        if (!dataIn.mayStart(task)) {
            dataIn.hold(task);
            return;
        }
        begin(task);
    }

    /** Starts a delivered task: refuses it, asks for its data, or executes it. */
    private void begin(CommandTask task) {
        dataIn.reserve(task);
        if (task.writing() && task.expectedLength > connection.limits().maxTransferLength()) {
            // Refuse before asking for data we would not keep.
            task.release();
            finishWithoutData(task);
            return;
        }
        if (task.writing()) {
            dataOut.solicit(task);
        }
        maybeExecute(task);
    }

    private void finishWithoutData(CommandTask task) {
        retire(task);
        endByTransport(task, Sense.INVALID_FIELD_IN_CDB);
    }

    /**
     * The task leaves this connection: its ITT is free again, and it gives back its CmdSN slot
     * (when delivered), its immediate-command slot and its Data-In reservation.
     */
    private void retire(CommandTask task) {
        tasks.remove(task.itt);
        if (task.delivered) {
            session.window().finished();
        }
        if (task.immediateSlot) {
            task.immediateSlot = false;
            session.budget().immediateEnded();
        }
        dataIn.unreserve(task);
    }

    /** Ends a command the transport refuses, with sense from the SCSI core in the unit's format. */
    private void endByTransport(CommandTask task, Sense sense) {
        ScsiResponse r = session.target().scsi().checkCondition(LunAddress.decode(task.lunField), sense);
        sequencer.status(task, r.status().wire(), r.sense(), 0, 0);
    }

    private void onDataOut(DataOut out) throws ProtocolException {
        CommandTask task = dataOut.receive(out, tasks);
        if (task != null && task.delivered) {
            dataOut.solicit(task);
            maybeExecute(task);
        }
    }

    /**
     * Aborts this connection's tasks that match: those not yet executing are dropped now (a
     * delivered one returns its CmdSN slot), the others stay silent when they complete, and
     * {@code barrier} (when given) waits for each of those, so the abort is answered only once the
     * aborted tasks can no longer touch the medium (SAM-5 §5.6). Returns how many were aborted now.
     */
    int abortTasks(java.util.function.Predicate<CommandTask> which, AbortBarrier barrier) {
        int n = 0;
        for (CommandTask task : List.copyOf(tasks.values())) {
            if (!which.test(task)) {
                continue;
            }
            if (task.executing && barrier != null) {
                task.awaitedBy(barrier); // also when an earlier function aborted it: it still runs
            }
            if (task.aborted) {
                continue;
            }
            n++;
            task.aborted = true;
            if (!task.executing) {
                dataOut.forget(task);
                task.release();
                dataIn.drop(task);
                retire(task);
            }
        }
        return n;
    }

    private void maybeExecute(CommandTask task) {
        if (!task.delivered || task.held || task.executing || !task.allDataReceived()) {
            return;
        }
        task.executing = true;
        dataOut.executing(task);
        if (task.dataPhaseError) {
            retire(task);
            endByTransport(task, Sense.DATA_PHASE_ERROR);
            return;
        }
        if (task.overBudget) {
            // No room for its data (SessionBudget): the initiator retries later (SAM-5 §5.3.1).
            retire(task);
            sequencer.status(task, ScsiStatus.TASK_SET_FULL.wire(), null, 0, 0);
            flushSoon();
            return;
        }
        ByteBuf dataOut = task.takeData();
        ScsiCommandPdu pdu = task.command;
        int lun = LunAddress.decode(pdu.lun());
        ScsiCommand command = new ScsiCommand(session.nexus(), lun, pdu.cdb(),
                TaskAttribute.fromWire(pdu.attribute()), pdu.read() ? pdu.expectedDataTransferLength() : 0, dataOut);
        IscsiMetrics.LunMetrics recorder = lunMetrics.get(lun);
        if (recorder == null || !recorder.current()) {
            recorder = connection.metrics().lun(session.target().name(), lun);
            lunMetrics.put(lun, recorder);
        }
        task.metrics = recorder;
        task.startNanos = System.nanoTime();
        task.metrics.started();
        EventLoop loop = connection.channel().eventLoop();
        session.target().scsi().execute(command, response -> {
            if (loop.inEventLoop()) {
                complete(task, response);
            } else {
                loop.execute(() -> complete(task, response));
            }
        });
    }

    /** Sends the command's Data-In and status (RFC 7143 §10.4, §11.7.3 residuals). */
    private void complete(CommandTask task, ScsiResponse response) {
        retire(task);
        respond(task, response);
        this.dataIn.resume();
    }

    private void respond(CommandTask task, ScsiResponse response) {
        ByteBuf dataIn = response.dataIn();
        account(task, dataIn);
        if (!connection.channel().isActive() || task.aborted) {
            if (dataIn != null) {
                dataIn.release();
            }
            task.ended();
            return;
        }
        try {
            sequencer.send(task, response, dataIn);
        } finally {
            if (dataIn != null) {
                dataIn.release();
            }
        }
        flushSoon();
    }

    private static void account(CommandTask task, ByteBuf dataIn) {
        IscsiMetrics.OpClass op;
        long bytes;
        if (task.command.write()) {
            op = IscsiMetrics.OpClass.WRITE;
            bytes = task.expectedLength;
        } else if (task.command.read()) {
            op = IscsiMetrics.OpClass.READ;
            bytes = dataIn == null ? 0 : Math.min(dataIn.readableBytes(), task.expectedLength);
        } else {
            op = IscsiMetrics.OpClass.OTHER;
            bytes = 0;
        }
        task.metrics.completed(op, bytes, System.nanoTime() - task.startNanos);
    }

    // --- NOP, logout (RFC 7143 §11.14, §11.18) ---------------------------------------------------

    void onNopOut(NopOut nop) {
        recovery.acknowledge(nop.expStatSn());
        if (nop.itt() == Bhs.RESERVED_TAG) {
            nop.release(); // a reply to our NOP-In, or a ping that wants no answer
            return;
        }
        connection.write(new NopIn(nop.lun(), nop.itt(), Bhs.RESERVED_TAG, connection.nextStatSn(),
                connection.expCmdSn(), connection.maxCmdSn(), nop.data()));
    }

    /**
     * Logout (RFC 7143 §11.14): reason 0 closes the session (every connection), reason 1 the
     * connection named by CID (which may be another one of the session), reason 2 is connection
     * recovery, which needs ERL 2.
     */
    void onLogout(LogoutRequest logout) {
        logout.release();
        Connection closing = logout.reasonCode() == LogoutRequest.CLOSE_SESSION ? connection
                : session.connection(logout.cid());
        int response;
        if (logout.reasonCode() == LogoutRequest.REMOVE_CONNECTION_FOR_RECOVERY) {
            response = LogoutResponse.RECOVERY_NOT_SUPPORTED;
        } else if (logout.reasonCode() != LogoutRequest.CLOSE_SESSION
                && logout.reasonCode() != LogoutRequest.CLOSE_CONNECTION) {
            response = LogoutResponse.CLEANUP_FAILED;
        } else {
            response = closing == null ? LogoutResponse.CID_NOT_FOUND : LogoutResponse.CLOSED;
        }
        var p = session.parameters();
        connection.write(new LogoutResponse(response, logout.itt(), connection.nextStatSn(), connection.expCmdSn(),
                connection.maxCmdSn(), p.defaultTime2Wait(), p.defaultTime2Retain(), Unpooled.EMPTY_BUFFER));
        if (response != LogoutResponse.CLOSED) {
            return;
        }
        LOG.info("logout: {} cid {} (reason {})", session, logout.cid(), logout.reasonCode());
        if (logout.reasonCode() == LogoutRequest.CLOSE_SESSION) {
            for (Connection c : session.connections()) {
                c.loggedOut(true);
                c.close();
            }
        } else {
            closing.loggedOut(true);
            closing.close();
        }
    }

    // --- stop (RFC 7143 §11.9.1) -----------------------------------------------------------------

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof LogoutRequested request)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (connection.loggedOut()) {
            return;
        }
        if (session.discovery()) {
            LOG.info("{}: closing discovery {}", request.why(), session);
            connection.close();
            return;
        }
        // AsyncEvent 1: Parameter1 and Parameter2 are reserved, Parameter3 is the time to log out in.
        // Like every status-bearing PDU it takes a StatSN.
        LOG.info("{}: asking {} to log out within {} s ({} commands in flight)", request.why(), session,
                request.seconds(), tasks.size());
        connection.writeAndFlush(new AsyncMessage(0, connection.nextStatSn(), connection.expCmdSn(),
                connection.maxCmdSn(), AsyncMessage.LOGOUT_REQUESTED, 0, 0, 0, request.seconds(),
                Unpooled.EMPTY_BUFFER));
    }

    // --- errors and teardown -------------------------------------------------------------------

    private void protocolError(ProtocolException e) {
        connection.metrics().protocolError(e.reason(), e.fatal());
        if (log.admit(ConnectionLog.Kind.PROTOCOL_ERROR)) {
            LOG.info("protocol error on {} from {}: {}", session, connection.remoteAddress(), e.getMessage());
        }
        connection.reject(e);
        if (e.fatal()) {
            connection.close();
        } else if (WindowItem.Rejected.consumesCmdSn(e)) {
            numbered(new WindowItem.Rejected(), false, WindowItem.Rejected.cmdSn(e));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof PduDecoder.PduDecodingException e) {
            if (!recovery.recoverDataOut(e.protocolException(), tasks)) {
                protocolError(e.protocolException());
            }
            ctx.flush();
        } else if (cause instanceof java.io.IOException) {
            if (log.admit(ConnectionLog.Kind.IO_ERROR)) {
                LOG.info("connection {} of {} failed: {}", connection.remoteAddress(), session, cause.toString());
            }
            ctx.close();
        } else {
            io.platter.scsi.InternalErrors.record(LOG, "connection " + connection.remoteAddress() + " of " + session,
                    cause);
            ctx.close();
        }
    }

    /**
     * Teardown of this connection: its tasks are aborted (ERL 0 and 1 cannot reassign them to
     * another connection). A connection lost without a logout fails the whole session (ERL < 2
     * recovers only by session recovery, RFC 7143 §7.1.5); the last connection to go takes the
     * session with it.
     */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        recovery.release();
        // Tasks still waiting for Data-Out give their CmdSN slot back, so the session's other
        // connections keep the whole window (MC/S logout of one connection); executing ones do when
        // they complete.
        int aborted = abortTasks(t -> true, null);
        dataIn.clear();
        text.close();
        boolean last = session.detach(connection);
        if (last) {
            for (Session.Queued queued : session.window().drain()) {
                queued.item().discardFrom(queued.owner());
            }
            connection.sessions().remove(session);
            connection.metrics().sessionClosed(session.discovery() ? IscsiMetrics.DISCOVERY
                    : session.target().name());
            if (session.target() != null) {
                session.target().scsi().nexusLost(session.nexus()); // SPC-2 reservations end with the nexus
            }
        } else {
            for (Session.Queued queued : session.window().drain(q -> q.owner() == this)) {
                queued.item().discardFrom(this);
            }
            if (!connection.loggedOut() && !session.closing()) {
                LOG.info("connection {} of {} failed: closing the session", connection.cid(), session);
                session.close();
            }
        }
        // One line per teardown, however many commands were pending or writes failed.
        String suppressed = log.suppressed();
        if (!connection.loggedOut() || aborted > 0 || !suppressed.isEmpty()) {
            LOG.info("connection closed: {} cid {} from {}: {} command(s) aborted{}", session, connection.cid(),
                    connection.remoteAddress(), aborted, suppressed);
        }
        ctx.fireChannelInactive();
    }
}
