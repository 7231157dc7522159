package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * A connection-level protocol violation (STYLE.md tier 1). Converted once, in the connection,
 * into a Reject PDU carrying {@link #rejectedHeader()} and/or closing the connection.
 *
 * <p>RFC 7143 §11.17: a Reject's data segment is the complete header of the rejected PDU, so every
 * factory takes that PDU or its header: there is no Reject without one. (Every framing error the
 * decoder finds still has a complete BHS to name; a stream that ends inside one gets no answer.)
 */
public final class ProtocolException extends Exception {

    private final RejectReason reason;
    private final boolean fatal;
    private final byte[] rejectedHeader;

    private ProtocolException(RejectReason reason, String message, boolean fatal, byte[] rejectedHeader) {
        super(message, null, false, false);
        this.reason = reason;
        this.fatal = fatal;
        this.rejectedHeader = rejectedHeader;
    }

    /**
     * A non-fatal rejection of {@code pdu}, which stays with the caller (it may be released as soon
     * as this returns: its header is copied now).
     */
    public static ProtocolException rejecting(RejectReason reason, String message, Pdu pdu) {
        return new ProtocolException(reason, message, false, headerOf(pdu));
    }

    /** Like {@link #rejecting}, then the connection closes (the stream cannot be trusted past it). */
    public static ProtocolException rejectingAndClosing(RejectReason reason, String message, Pdu pdu) {
        return new ProtocolException(reason, message, true, headerOf(pdu));
    }

    /** A non-fatal rejection of the PDU whose 48-byte header is at {@code bhs}'s reader index. */
    public static ProtocolException reject(RejectReason reason, String message, ByteBuf bhs) {
        return new ProtocolException(reason, message, false, copy(bhs));
    }

    /**
     * A format error in the PDU whose 48-byte header is {@code bhs} (RFC 7143 §7.7): rejected, then
     * the connection closes.
     */
    public static ProtocolException formatError(RejectReason reason, String message, ByteBuf bhs) {
        return new ProtocolException(reason, message, true, copy(bhs));
    }

    /**
     * The header {@code pdu} arrived with; a PDU built in this process (tests feeding typed PDUs)
     * has none, so its encoding stands in for it.
     */
    private static byte[] headerOf(Pdu pdu) {
        ByteBuf received = pdu.receivedBhs();
        return received == null ? PduEncoder.header(pdu) : copy(received);
    }

    private static byte[] copy(ByteBuf bhs) {
        byte[] header = new byte[Bhs.SIZE];
        Objects.requireNonNull(bhs, "rejected header").getBytes(bhs.readerIndex(), header);
        return header;
    }

    public RejectReason reason() {
        return reason;
    }

    /** Whether the connection must close (the stream cannot be trusted past this point). */
    public boolean fatal() {
        return fatal;
    }

    /** The 48-byte header of the offending PDU, for the Reject data segment (never null). */
    public byte[] rejectedHeader() {
        return rejectedHeader;
    }
}
