package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * A connection-level protocol violation (STYLE.md tier 1). Converted once, in the connection,
 * into a Reject PDU carrying {@link #rejectedHeader()} and/or closing the connection.
 */
public final class ProtocolException extends Exception {

    private final RejectReason reason;
    private final boolean fatal;
    private final byte[] rejectedHeader;

    public ProtocolException(RejectReason reason, String message) {
        this(reason, message, true, null);
    }

    public ProtocolException(RejectReason reason, String message, boolean fatal, byte[] rejectedHeader) {
        super(message, null, false, false);
        this.reason = reason;
        this.fatal = fatal;
        this.rejectedHeader = rejectedHeader;
    }

    /** A non-fatal rejection of the PDU whose 48-byte header is {@code bhs}. */
    public static ProtocolException reject(RejectReason reason, String message, ByteBuf bhs) {
        byte[] header = new byte[Bhs.SIZE];
        bhs.getBytes(bhs.readerIndex(), header);
        return new ProtocolException(reason, message, false, header);
    }

    /**
     * A format error in the PDU whose 48-byte header is {@code bhs} (RFC 7143 §7.7): rejected, then
     * the connection closes.
     */
    public static ProtocolException formatError(RejectReason reason, String message, ByteBuf bhs) {
        byte[] header = new byte[Bhs.SIZE];
        bhs.getBytes(bhs.readerIndex(), header);
        return new ProtocolException(reason, message, true, header);
    }

    public RejectReason reason() {
        return reason;
    }

    /** Whether the connection must close (the stream cannot be trusted past this point). */
    public boolean fatal() {
        return fatal;
    }

    /** The header of the offending PDU for the Reject data segment, or {@code null}. */
    public byte[] rejectedHeader() {
        return rejectedHeader;
    }
}
