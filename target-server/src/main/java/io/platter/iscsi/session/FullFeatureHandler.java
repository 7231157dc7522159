package io.platter.iscsi.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.platter.iscsi.pdu.Bhs;
import io.platter.iscsi.pdu.DataIn;
import io.platter.iscsi.pdu.DataOut;
import io.platter.iscsi.pdu.LogoutRequest;
import io.platter.iscsi.pdu.LogoutResponse;
import io.platter.iscsi.pdu.NopIn;
import io.platter.iscsi.pdu.NopOut;
import io.platter.iscsi.pdu.Opcode;
import io.platter.iscsi.pdu.Pdu;
import io.platter.iscsi.pdu.PduDecoder;
import io.platter.iscsi.pdu.ProtocolException;
import io.platter.iscsi.pdu.ReadyToTransfer;
import io.platter.iscsi.pdu.RejectReason;
import io.platter.iscsi.pdu.ScsiCommandPdu;
import io.platter.iscsi.pdu.ScsiResponsePdu;
import io.platter.iscsi.pdu.TaskManagementRequest;
import io.platter.iscsi.pdu.TextRequest;
import io.platter.scsi.LunAddress;
import io.platter.scsi.ScsiCommand;
import io.platter.scsi.ScsiResponse;
import io.platter.scsi.ScsiStatus;
import io.platter.scsi.TaskAttribute;
import java.util.EnumMap;
import java.util.HashMap;
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
        ACTIONS.put(Opcode.NOP_OUT, (h, p) -> h.numbered(p, ((NopOut) p).immediate(), ((NopOut) p).cmdSn()));
        ACTIONS.put(Opcode.TEXT_REQUEST, (h, p) -> h.numbered(p, ((TextRequest) p).immediate(),
                ((TextRequest) p).cmdSn()));
        ACTIONS.put(Opcode.LOGOUT_REQUEST, (h, p) -> h.numbered(p, ((LogoutRequest) p).immediate(),
                ((LogoutRequest) p).cmdSn()));
        ACTIONS.put(Opcode.TASK_MANAGEMENT_REQUEST, (h, p) -> h.numbered(p,
                ((TaskManagementRequest) p).immediate(), ((TaskManagementRequest) p).cmdSn()));
    }

    private final Connection connection;
    private final Session session;
    private final Map<Integer, CommandTask> tasks = new HashMap<>();
    private final Map<Integer, CommandTask.Burst> bursts = new HashMap<>();
    private final TextExchange text;
    private final TaskManagement taskManagement;
    private int nextTtt = 1;
    private boolean loggedOut;
    /** A flush task is queued on the event loop (see {@link #flushSoon}). */
    private boolean flushScheduled;

    FullFeatureHandler(Connection connection) {
        this.connection = connection;
        this.session = connection.session();
        this.text = new TextExchange(connection);
        this.taskManagement = new TaskManagement(connection, this::abortTasks);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Pdu pdu = (Pdu) msg;
        PduAction action = ACTIONS.get(pdu.opcode());
        try {
            if (action == null) {
                pdu.release();
                throw new ProtocolException(RejectReason.PROTOCOL_ERROR, "unexpected " + pdu.opcode()
                        + " in full feature phase", false, null);
            }
            if (session.discovery() && pdu.opcode() != Opcode.TEXT_REQUEST && pdu.opcode() != Opcode.LOGOUT_REQUEST
                    && pdu.opcode() != Opcode.NOP_OUT) {
                // RFC 7143 §4.3: a discovery session carries text, NOP and logout only.
                pdu.release();
                throw new ProtocolException(RejectReason.PROTOCOL_ERROR, pdu.opcode() + " in a discovery session",
                        false, null);
            }
            action.handle(this, pdu);
        } catch (ProtocolException e) {
            protocolError(e);
        }
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
            connection.channel().eventLoop().execute(() -> {
                flushScheduled = false;
                connection.channel().flush();
            });
        }
    }

    // --- CmdSN ordering (RFC 7143 §4.2.2.1, §3.2.2.1) -----------------------------------------

    private void numbered(Object item, boolean immediate, int cmdSn) {
        if (immediate) {
            deliver(item);
            return;
        }
        switch (session.window().offer(cmdSn, item)) {
            case DELIVER -> {
                deliver(item);
                for (Object next = session.window().next(); next != null; next = session.window().next()) {
                    deliver(next);
                }
            }
            case QUEUED -> {
            }
            case REFUSED -> {
                LOG.debug("dropping PDU with CmdSN {} outside window [{}, {}]", cmdSn,
                        session.window().expCmdSn(), session.window().maxCmdSn());
                discard(item);
            }
        }
    }

    private void deliver(Object item) {
        if (item instanceof CommandTask task) {
            startTask(task);
        } else if (item instanceof NopOut nop) {
            onNopOut(nop);
        } else if (item instanceof TextRequest request) {
            text.onRequest(request, session);
        } else if (item instanceof LogoutRequest logout) {
            onLogout(logout);
        } else if (item instanceof TaskManagementRequest tmf) {
            taskManagement.onRequest(tmf, session);
        }
    }

    private void discard(Object item) {
        if (item instanceof CommandTask task) {
            tasks.remove(task.itt);
            task.release();
        } else if (item instanceof Pdu pdu) {
            pdu.release();
        }
    }

    // --- SCSI commands and Data-Out (RFC 7143 §11.3, §11.7, §11.8) -----------------------------

    private void onCommand(ScsiCommandPdu pdu) throws ProtocolException {
        var p = session.parameters();
        int immediateLength = pdu.data().readableBytes();
        try {
            if (tasks.containsKey(pdu.itt())) {
                throw new ProtocolException(RejectReason.TASK_IN_PROGRESS, "ITT " + pdu.itt() + " in use", false,
                        null);
            }
            if (immediateLength > 0 && (!pdu.write() || !p.immediateData()
                    || immediateLength > Math.min(p.firstBurstLength(), pdu.expectedDataTransferLength()))) {
                throw new ProtocolException(RejectReason.PROTOCOL_ERROR, "unexpected immediate data of "
                        + immediateLength + " bytes");
            }
        } catch (ProtocolException e) {
            pdu.release();
            throw e;
        }
        CompositeByteBuf data = null;
        if (pdu.write() && pdu.expectedDataTransferLength() > 0) {
            data = connection.channel().alloc().compositeDirectBuffer(Integer.MAX_VALUE);
        }
        CommandTask task = new CommandTask(pdu, data);
        if (immediateLength > 0) {
            task.append(pdu.data().retain());
        }
        pdu.data().release();
        task.unsolicitedEnd = task.writing()
                ? (p.initialR2T() ? immediateLength : Math.min(p.firstBurstLength(), task.expectedLength))
                : 0;
        task.nextR2tOffset = task.unsolicitedEnd;
        tasks.put(task.itt, task);
        numbered(task, pdu.immediate(), pdu.cmdSn());
    }

    private void startTask(CommandTask task) {
        if (task.aborted) {
            return;
        }
        task.delivered = true;
        session.window().started();
        if (task.writing() && task.expectedLength > connection.limits().maxTransferLength()) {
            // Refuse before asking for data we would not keep.
            task.release();
            finishWithoutData(task);
            return;
        }
        if (task.writing()) {
            solicit(task);
        }
        maybeExecute(task);
    }

    private void finishWithoutData(CommandTask task) {
        tasks.remove(task.itt);
        session.window().finished();
        sendResponse(task, ScsiStatus.CHECK_CONDITION.wire(), io.platter.scsi.sense.SenseData.build(
                io.platter.scsi.sense.Sense.INVALID_FIELD_IN_CDB, null, null, false), 0, 0);
    }

    /** Issues R2Ts up to MaxOutstandingR2T (RFC 7143 §13.17) for data beyond the unsolicited part. */
    private void solicit(CommandTask task) {
        var p = session.parameters();
        while (task.bursts.size() < p.maxOutstandingR2T() && task.nextR2tOffset < task.expectedLength) {
            int length = Math.min(p.maxBurstLength(), task.expectedLength - task.nextR2tOffset);
            int ttt = nextTtt();
            CommandTask.Burst burst = new CommandTask.Burst(ttt, task.nextR2tOffset, length);
            task.bursts.add(burst);
            bursts.put(ttt, burst);
            connection.write(new ReadyToTransfer(task.lunField, task.itt, ttt, connection.currentStatSn(),
                    connection.expCmdSn(), connection.maxCmdSn(), task.r2tSn++, task.nextR2tOffset, length));
            task.dataSn++;
            task.nextR2tOffset += length;
        }
    }

    private int nextTtt() {
        int ttt = nextTtt++;
        if (nextTtt == Bhs.RESERVED_TAG) {
            nextTtt = 1;
        }
        return ttt;
    }

    private void onDataOut(DataOut out) throws ProtocolException {
        CommandTask task = tasks.get(out.itt());
        if (task != null && task.aborted) {
            out.release();
            return;
        }
        try {
            if (task == null || !task.writing() || task.executing) {
                throw new ProtocolException(RejectReason.INVALID_PDU_FIELD, "Data-Out for unknown ITT "
                        + out.itt(), false, null);
            }
            int length = out.data().readableBytes();
            if (out.bufferOffset() != task.received() || task.received() + length > task.expectedLength) {
                throw new ProtocolException(RejectReason.PROTOCOL_ERROR, "Data-Out offset " + out.bufferOffset()
                        + "+" + length + ", expected " + task.received() + " (DataPDUInOrder)");
            }
            int expectedDataSn;
            if (out.ttt() == Bhs.RESERVED_TAG) {
                if (out.bufferOffset() + length > task.unsolicitedEnd || session.parameters().initialR2T()) {
                    throw new ProtocolException(RejectReason.PROTOCOL_ERROR, "unsolicited data beyond FirstBurstLength");
                }
                expectedDataSn = task.unsolicitedDataSn++;
            } else {
                CommandTask.Burst burst = bursts.get(out.ttt());
                if (burst == null || !task.bursts.contains(burst) || burst.received + length > burst.length) {
                    throw new ProtocolException(RejectReason.INVALID_PDU_FIELD, "Data-Out for unknown TTT "
                            + "or beyond its R2T", false, null);
                }
                expectedDataSn = burst.nextDataSn++;
                burst.received += length;
                if (burst.received == burst.length) {
                    task.bursts.remove(burst);
                    bursts.remove(burst.ttt);
                }
            }
            if (out.dataSn() != expectedDataSn && !task.dataPhaseError) {
                // ERL 0 cannot ask for the PDU again (RFC 7143 §7.1.4.2): fail this command only.
                LOG.info("Data-Out DataSN {} (expected {}) for ITT {} on {}: failing the command", out.dataSn(),
                        expectedDataSn, task.itt, session);
                task.dataPhaseError = true;
                task.release();
            }
            task.append(out.data().retain());
        } finally {
            out.data().release();
        }
        if (task.delivered) {
            solicit(task);
            maybeExecute(task);
        }
    }

    /** Aborts matching tasks: those not yet executing are dropped now, the others stay silent. */
    private void abortTasks(java.util.function.Predicate<CommandTask> which) {
        var it = tasks.values().iterator();
        while (it.hasNext()) {
            CommandTask task = it.next();
            if (!which.test(task)) {
                continue;
            }
            task.aborted = true;
            if (!task.executing) {
                it.remove();
                task.bursts.forEach(b -> bursts.remove(b.ttt));
                task.release();
                if (task.delivered) {
                    session.window().finished();
                }
            }
        }
    }

    private void maybeExecute(CommandTask task) {
        if (!task.delivered || task.executing || !task.allDataReceived()) {
            return;
        }
        task.executing = true;
        if (task.dataPhaseError) {
            tasks.remove(task.itt);
            session.window().finished();
            sendResponse(task, ScsiStatus.CHECK_CONDITION.wire(), io.platter.scsi.sense.SenseData.build(
                    io.platter.scsi.sense.Sense.DATA_PHASE_ERROR, null, null, false), 0, 0);
            return;
        }
        ByteBuf dataOut = task.data;
        task.data = null;
        ScsiCommandPdu pdu = task.command;
        int lun = LunAddress.decode(pdu.lun());
        ScsiCommand command = new ScsiCommand(session.nexus(), lun, pdu.cdb(),
                TaskAttribute.fromWire(pdu.attribute()), pdu.read() ? pdu.expectedDataTransferLength() : 0, dataOut);
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
        tasks.remove(task.itt);
        session.window().finished();
        ByteBuf dataIn = response.dataIn();
        if (!connection.channel().isActive() || task.aborted) {
            if (dataIn != null) {
                dataIn.release();
            }
            return;
        }
        ScsiCommandPdu pdu = task.command;
        int produced = dataIn == null ? 0 : dataIn.readableBytes();
        int allowed = pdu.read() ? pdu.expectedDataTransferLength() : 0;
        int sent = Math.min(produced, allowed);
        int residualFlags = 0;
        int residual = 0;
        if (pdu.write() && response.dataOutLength() >= 0) {
            // Residuals of a write compare the CDB's transfer length with the EDTL (RFC 7143 §11.4.5).
            int wanted = response.dataOutLength();
            int expected = pdu.expectedDataTransferLength();
            if (wanted > expected) {
                residualFlags = ScsiResponsePdu.OVERFLOW;
                residual = wanted - expected;
            } else if (wanted < expected) {
                residualFlags = ScsiResponsePdu.UNDERFLOW;
                residual = expected - wanted;
            }
        } else if (pdu.read() || produced > 0) {
            if (produced > allowed) {
                residualFlags = ScsiResponsePdu.OVERFLOW;
                residual = produced - allowed;
            } else if (produced < allowed) {
                residualFlags = ScsiResponsePdu.UNDERFLOW;
                residual = allowed - produced;
            }
        }
        boolean good = response.status() == ScsiStatus.GOOD;
        if (sent > 0) {
            sendDataIn(task, dataIn, sent, good, response.status().wire(), residualFlags, residual);
        }
        if (dataIn != null) {
            dataIn.release();
        }
        if (sent == 0 || !good) {
            sendResponse(task, response.status().wire(), response.sense(), residualFlags, residual);
        }
        flushSoon();
    }

    private void sendDataIn(CommandTask task, ByteBuf data, int length, boolean withStatus, int status,
                            int residualFlags, int residual) {
        var p = session.parameters();
        int segment = p.maxXmitDataSegmentLength();
        int burst = p.maxBurstLength();
        int offset = 0;
        while (offset < length) {
            int burstEnd = Math.min(length, (offset / burst + 1) * burst);
            int n = Math.min(segment, burstEnd - offset);
            boolean last = offset + n == length;
            int flags = (last || offset + n == burstEnd) ? Bhs.FINAL : 0;
            int statSn = 0;
            int residualField = 0;
            if (last && withStatus) {
                flags |= DataIn.STATUS | residualFlags;
                statSn = connection.nextStatSn();
                residualField = residual;
            }
            connection.write(new DataIn(flags, last && withStatus ? status : 0, task.lunField, task.itt,
                    Bhs.RESERVED_TAG, statSn, connection.expCmdSn(), connection.maxCmdSn(), task.dataSn++, offset,
                    residualField, data.retainedSlice(data.readerIndex() + offset, n)));
            offset += n;
        }
    }

    private void sendResponse(CommandTask task, int status, byte[] sense, int residualFlags, int residual) {
        ByteBuf senseData = Unpooled.EMPTY_BUFFER;
        if (sense != null) {
            // Sense data segment: SenseLength then the sense bytes (RFC 7143 §11.4.7.2).
            senseData = connection.channel().alloc().buffer(2 + sense.length);
            senseData.writeShort(sense.length).writeBytes(sense);
        }
        connection.write(new ScsiResponsePdu(residualFlags, 0, status, task.itt, 0, connection.nextStatSn(),
                connection.expCmdSn(), connection.maxCmdSn(), task.dataSn, 0, residual, senseData));
    }

    // --- NOP, logout (RFC 7143 §11.14, §11.18) ---------------------------------------------------

    private void onNopOut(NopOut nop) {
        if (nop.itt() == Bhs.RESERVED_TAG) {
            nop.release(); // a reply to our NOP-In, or a ping that wants no answer
            return;
        }
        connection.write(new NopIn(nop.lun(), nop.itt(), Bhs.RESERVED_TAG, connection.nextStatSn(),
                connection.expCmdSn(), connection.maxCmdSn(), nop.data()));
    }

    private void onLogout(LogoutRequest logout) {
        logout.release();
        int response = logout.reasonCode() == LogoutRequest.REMOVE_CONNECTION_FOR_RECOVERY
                ? LogoutResponse.RECOVERY_NOT_SUPPORTED
                : (logout.reasonCode() == LogoutRequest.CLOSE_CONNECTION && logout.cid() != connection.cid()
                        ? LogoutResponse.CID_NOT_FOUND : LogoutResponse.CLOSED);
        var p = session.parameters();
        connection.write(new LogoutResponse(response, logout.itt(), connection.nextStatSn(), connection.expCmdSn(),
                connection.maxCmdSn(), p.defaultTime2Wait(), p.defaultTime2Retain(), Unpooled.EMPTY_BUFFER));
        if (response == LogoutResponse.CLOSED) {
            loggedOut = true;
            LOG.info("logout: {} (reason {})", session, logout.reasonCode());
            connection.close();
        }
    }

    // --- errors and teardown -------------------------------------------------------------------

    private void protocolError(ProtocolException e) {
        LOG.info("protocol error on {} from {}: {}", session, connection.remoteAddress(), e.getMessage());
        connection.reject(e.reason().wire(), e.rejectedHeader());
        if (e.fatal()) {
            connection.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof PduDecoder.PduDecodingException e) {
            protocolError(e.protocolException());
            ctx.flush();
        } else {
            LOG.warn("connection {} of {} failed", connection.remoteAddress(), session, cause);
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (Object queued : session.window().drain()) {
            discard(queued);
        }
        for (CommandTask task : tasks.values()) {
            task.aborted = true;
            task.release();
        }
        text.close();
        connection.sessions().remove(session);
        if (!loggedOut) {
            LOG.info("connection closed: {} from {}", session, connection.remoteAddress());
        }
        ctx.fireChannelInactive();
    }
}
