package io.platter.iscsi.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.platter.iscsi.pdu.AsyncMessage;
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
import io.platter.iscsi.pdu.PduEncoder;
import io.platter.iscsi.pdu.ProtocolException;
import io.platter.iscsi.pdu.ReadyToTransfer;
import io.platter.iscsi.pdu.RejectReason;
import io.platter.iscsi.pdu.ScsiCommandPdu;
import io.platter.iscsi.pdu.ScsiResponsePdu;
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
        ACTIONS.put(Opcode.NOP_OUT, (h, p) -> h.numbered(p, ((NopOut) p).immediate(), ((NopOut) p).cmdSn()));
        ACTIONS.put(Opcode.TEXT_REQUEST, (h, p) -> h.numbered(p, ((TextRequest) p).immediate(),
                ((TextRequest) p).cmdSn()));
        ACTIONS.put(Opcode.LOGOUT_REQUEST, (h, p) -> h.numbered(p, ((LogoutRequest) p).immediate(),
                ((LogoutRequest) p).cmdSn()));
        ACTIONS.put(Opcode.TASK_MANAGEMENT_REQUEST, (h, p) -> h.numbered(p,
                ((TaskManagementRequest) p).immediate(), ((TaskManagementRequest) p).cmdSn()));
        ACTIONS.put(Opcode.SNACK_REQUEST, (h, p) -> h.onSnack((SnackRequest) p));
    }

    private final Connection connection;
    private final Session session;
    private final Map<Integer, CommandTask> tasks = new HashMap<>();
    private final Map<Integer, CommandTask.Burst> bursts = new HashMap<>();
    private final TextExchange text;
    private final TaskManagement taskManagement;
    /** Responses and Data-In kept for SNACKs at ERL 1 (RFC 7143 §6.7). */
    private final Retransmissions history;
    /** TTTs of bursts replaced by a recovery R2T, by ITT: their late Data-Out is discarded. */
    private final Map<Integer, Integer> retiredTtts = new HashMap<>();
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
        this.history = new Retransmissions(connection.parameters() != null
                && session.parameters().errorRecoveryLevel() >= 1);
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
    private void numbered(Object item, boolean immediate, int cmdSn) {
        if (immediate) {
            deliver(item);
            return;
        }
        switch (session.window().offer(cmdSn, new Session.Queued(this, item))) {
            case DELIVER -> {
                deliver(item);
                for (Session.Queued next = session.window().next(); next != null; next = session.window().next()) {
                    next.owner().deliver(next.item());
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
        if (pdu.immediate() && !session.budget().admitImmediate()) {
            // Immediate commands bypass the CmdSN window, so they are bounded here (RFC 7143 §11.17.1).
            byte[] header = header(pdu);
            pdu.release();
            throw new ProtocolException(RejectReason.IMMEDIATE_COMMAND_REJECT, "more than "
                    + SessionBudget.IMMEDIATE_COMMANDS + " immediate commands in flight", false, header);
        }
        history.acknowledge(pdu.expStatSn());
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
        numbered(task, pdu.immediate(), pdu.cmdSn());
    }

    /** The 48-byte BHS of {@code pdu} as received, for a Reject's data segment (RFC 7143 §11.17). */
    private static byte[] header(Pdu pdu) {
        ByteBuf copy = PduEncoder.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, headerOnly(pdu), false,
                false);
        try {
            byte[] header = new byte[Bhs.SIZE];
            copy.getBytes(0, header);
            // The DataSegmentLength the initiator sent, not the empty one of the copy.
            int length = pdu.data().readableBytes();
            header[5] = (byte) (length >>> 16);
            header[6] = (byte) (length >>> 8);
            header[7] = (byte) length;
            return header;
        } finally {
            copy.release();
        }
    }

    private static Pdu headerOnly(Pdu pdu) {
        ScsiCommandPdu c = (ScsiCommandPdu) pdu;
        return new ScsiCommandPdu(c.immediate(), c.finalBit(), c.read(), c.write(), c.attribute(), c.lun(), c.itt(),
                c.expectedDataTransferLength(), c.cmdSn(), c.expStatSn(), c.cdb(), Unpooled.EMPTY_BUFFER);
    }

    private void startTask(CommandTask task) {
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
            solicit(task);
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
        sendResponse(task, r.status().wire(), r.sense(), 0, 0);
    }

    /** Issues R2Ts up to MaxOutstandingR2T (RFC 7143 §13.17) for data beyond the unsolicited part. */
    private void solicit(CommandTask task) {
        if (task.held || task.overBudget) {
            return;
        }
        var p = session.parameters();
        while (task.bursts.size() < p.maxOutstandingR2T() && task.nextR2tOffset < task.expectedLength) {
            int length = Math.min(p.maxBurstLength(), task.expectedLength - task.nextR2tOffset);
            int ttt = connection.nextTtt();
            CommandTask.Burst burst = new CommandTask.Burst(ttt, task.nextR2tOffset, length, task.r2tSn);
            task.bursts.add(burst);
            bursts.put(ttt, burst);
            connection.write(new ReadyToTransfer(task.lunField, task.itt, ttt, connection.currentStatSn(),
                    connection.expCmdSn(), connection.maxCmdSn(), task.r2tSn++, task.nextR2tOffset, length));
            task.dataSn++;
            task.nextR2tOffset += length;
        }
    }

    private void onDataOut(DataOut out) throws ProtocolException {
        CommandTask task = tasks.get(out.itt());
        Integer retiredFor = retiredTtts.get(out.ttt());
        if (retiredFor != null) {
            if (task != null && retiredFor == out.itt()) {
                out.release(); // the rest of a burst asked for again by a recovery R2T
                return;
            }
            retiredTtts.remove(out.ttt());
        }
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
                if (log.admit(ConnectionLog.Kind.DATA_OUT_ERROR)) {
                    LOG.info("Data-Out DataSN {} (expected {}) for ITT {} on {}: failing the command",
                            out.dataSn(), expectedDataSn, task.itt, session);
                }
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
                task.bursts.forEach(b -> bursts.remove(b.ttt));
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
        if (!retiredTtts.isEmpty()) {
            retiredTtts.values().removeIf(itt -> itt == task.itt);
        }
        if (task.dataPhaseError) {
            retire(task);
            endByTransport(task, Sense.DATA_PHASE_ERROR);
            return;
        }
        if (task.overBudget) {
            // No room for its data (SessionBudget): the initiator retries later (SAM-5 §5.3.1).
            retire(task);
            sendResponse(task, ScsiStatus.TASK_SET_FULL.wire(), null, 0, 0);
            flushSoon();
            return;
        }
        ByteBuf dataOut = task.takeData();
        ScsiCommandPdu pdu = task.command;
        int lun = LunAddress.decode(pdu.lun());
        ScsiCommand command = new ScsiCommand(session.nexus(), lun, pdu.cdb(),
                TaskAttribute.fromWire(pdu.attribute()), pdu.read() ? pdu.expectedDataTransferLength() : 0, dataOut);
        IscsiMetrics.LunMetrics recorder = lunMetrics.get(lun);
        if (recorder == null) {
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

    private void sendDataIn(CommandTask task, ByteBuf data, int length, boolean withStatus, int status,
                            int residualFlags, int residual) {
        var p = session.parameters();
        int segment = connection.parameters().maxXmitDataSegmentLength();
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
            DataIn pdu = new DataIn(flags, last && withStatus ? status : 0, task.lunField, task.itt,
                    Bhs.RESERVED_TAG, statSn, connection.expCmdSn(), connection.maxCmdSn(), task.dataSn++, offset,
                    residualField, data.retainedSlice(data.readerIndex() + offset, n));
            history.dataIn(pdu);
            connection.write(pdu);
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
        ScsiResponsePdu pdu = new ScsiResponsePdu(residualFlags, 0, status, task.itt, 0, connection.nextStatSn(),
                connection.expCmdSn(), connection.maxCmdSn(), task.dataSn, 0, residual, senseData);
        history.response(pdu);
        connection.write(pdu);
    }

    /**
     * At ERL 1 a solicited Data-Out with a data digest error is discarded and asked for again
     * (RFC 7143 §7.8.1, §11.8): the Reject, then a recovery R2T with a fresh TTT for the rest of
     * its burst, whose remaining Data-Out under the old TTT is dropped. False when this does not
     * apply (ERL 0, another PDU, data not in order): the error is then handled as at ERL 0.
     */
    private boolean recoverDataOut(ProtocolException e) {
        byte[] header = e.rejectedHeader();
        if (!history.enabled() || e.reason() != RejectReason.DATA_DIGEST_ERROR || header == null
                || (header[0] & 0x3f) != Opcode.DATA_OUT.code()) {
            return false;
        }
        ByteBuf h = Unpooled.wrappedBuffer(header);
        int itt = h.getInt(16);
        int ttt = h.getInt(20);
        int offset = h.getInt(40);
        CommandTask task = tasks.get(itt);
        CommandTask.Burst burst = bursts.get(ttt);
        if (task == null || burst == null || !task.bursts.contains(burst) || task.executing
                || offset != task.received()) {
            return false;
        }
        LOG.info("data digest error in Data-Out ITT {} offset {} on {}: recovery R2T", itt, offset, session);
        connection.reject(RejectReason.DATA_DIGEST_ERROR.wire(), header);
        task.bursts.remove(burst);
        bursts.remove(ttt);
        retiredTtts.put(ttt, itt);
        int newTtt = connection.nextTtt();
        int length = burst.offset + burst.length - offset;
        CommandTask.Burst again = new CommandTask.Burst(newTtt, offset, length, task.r2tSn);
        task.bursts.add(again);
        bursts.put(newTtt, again);
        connection.write(new ReadyToTransfer(task.lunField, task.itt, newTtt, connection.currentStatSn(),
                connection.expCmdSn(), connection.maxCmdSn(), task.r2tSn++, offset, length));
        task.dataSn++;
        return true;
    }

    // --- SNACK (RFC 7143 §11.16, §6.7) -----------------------------------------------------------

    /**
     * Resends what a SNACK names: Data-In by DataSN or R2Ts by R2TSN (type 0), SCSI Responses by
     * StatSN (type 1); a DataACK (type 2) frees the task's Data-In; R-Data (type 3) resends all of
     * it unchanged. At ERL 0, or for what is no longer kept, the SNACK is rejected.
     */
    private void onSnack(SnackRequest snack) throws ProtocolException {
        snack.release();
        if (!history.enabled()) {
            throw snackReject(RejectReason.PROTOCOL_ERROR, "SNACK at ErrorRecoveryLevel 0", snack);
        }
        history.acknowledge(snack.expStatSn());
        List<? extends Pdu> resend = switch (snack.type()) {
            case SnackRequest.DATA_R2T -> {
                CommandTask task = tasks.get(snack.itt());
                yield task != null && task.writing() ? r2ts(task, snack.begRun(), snack.runLength())
                        : history.dataIn(snack.itt(), snack.begRun(), snack.runLength(), connection.expCmdSn(),
                        connection.maxCmdSn());
            }
            case SnackRequest.STATUS -> history.statuses(snack.begRun(), snack.runLength(),
                    connection.currentStatSn(), connection.expCmdSn(), connection.maxCmdSn());
            case SnackRequest.DATA_ACK -> {
                history.dataAcknowledged(snack.itt());
                yield List.of();
            }
            case SnackRequest.R_DATA -> history.dataIn(snack.itt(), 0, 0, connection.expCmdSn(),
                    connection.maxCmdSn());
            default -> null;
        };
        if (resend == null) {
            throw snackReject(RejectReason.SNACK_REJECT, "SNACK type " + snack.type() + " for ITT "
                    + Integer.toHexString(snack.itt()) + " run " + snack.begRun() + "+" + snack.runLength()
                    + ": not available", snack);
        }
        LOG.debug("SNACK type {} on {}: resending {} PDU(s)", snack.type(), session, resend.size());
        resend.forEach(connection::write);
    }

    /** The R2Ts of {@code task} with R2TSN in the run whose data has not begun to arrive. */
    private List<ReadyToTransfer> r2ts(CommandTask task, int begRun, int runLength) {
        List<ReadyToTransfer> out = new java.util.ArrayList<>();
        for (CommandTask.Burst b : task.bursts) {
            boolean inRun = b.r2tSn - begRun >= 0 && (runLength == 0 || b.r2tSn - begRun < runLength);
            if (inRun && b.received == 0) {
                out.add(new ReadyToTransfer(task.lunField, task.itt, b.ttt, connection.currentStatSn(),
                        connection.expCmdSn(), connection.maxCmdSn(), b.r2tSn, b.offset, b.length));
            }
        }
        return out.isEmpty() ? null : out;
    }

    private static ProtocolException snackReject(RejectReason reason, String message, SnackRequest snack) {
        ByteBuf bhs = PduEncoder.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT,
                new SnackRequest(snack.type(), snack.lun(), snack.itt(), snack.ttt(), snack.expStatSn(),
                        snack.begRun(), snack.runLength(), Unpooled.EMPTY_BUFFER), false, false);
        try {
            return ProtocolException.reject(reason, message, bhs);
        } finally {
            bhs.release();
        }
    }

    // --- NOP, logout (RFC 7143 §11.14, §11.18) ---------------------------------------------------

    private void onNopOut(NopOut nop) {
        history.acknowledge(nop.expStatSn());
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
    private void onLogout(LogoutRequest logout) {
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
            LOG.info("stopping: closing discovery {}", session);
            connection.close();
            return;
        }
        // AsyncEvent 1: Parameter1 and Parameter2 are reserved, Parameter3 is the time to log out in.
        // Like every status-bearing PDU it takes a StatSN.
        LOG.info("stopping: asking {} to log out within {} s ({} commands in flight)", session, request.seconds(),
                tasks.size());
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
        connection.reject(e.reason().wire(), e.rejectedHeader());
        if (e.fatal()) {
            connection.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof PduDecoder.PduDecodingException e) {
            if (!recoverDataOut(e.protocolException())) {
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
        history.release();
        // Tasks still waiting for Data-Out give their CmdSN slot back, so the session's other
        // connections keep the whole window (MC/S logout of one connection); executing ones do when
        // they complete.
        int aborted = abortTasks(t -> true, null);
        dataIn.clear();
        text.close();
        boolean last = session.detach(connection);
        if (last) {
            for (Session.Queued queued : session.window().drain()) {
                queued.owner().discard(queued.item());
            }
            connection.sessions().remove(session);
            connection.metrics().sessionClosed(session.discovery() ? IscsiMetrics.DISCOVERY
                    : session.target().name());
            if (session.target() != null) {
                session.target().scsi().nexusLost(session.nexus()); // SPC-2 reservations end with the nexus
            }
        } else {
            for (Session.Queued queued : session.window().drain(q -> q.owner() == this)) {
                discard(queued.item());
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
