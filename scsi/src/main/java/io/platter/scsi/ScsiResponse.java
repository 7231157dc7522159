package io.platter.scsi;

import io.netty.buffer.ByteBuf;

/**
 * The result of one command (SAM-5 §5.1 Execute Command confirmation).
 *
 * @param status    the SCSI status
 * @param dataIn    Data-In bytes for the initiator (never more than it asked for in the CDB's
 *                  allocation or transfer length), or {@code null}; ownership passes to the
 *                  receiver of this response, which releases it exactly once
 * @param sense     sense data (fixed or descriptor format, already built) when status is
 *                  CHECK CONDITION, otherwise {@code null}
 * @param dataOutLength bytes of Data-Out the CDB describes (its transfer length), so the
 *                  transport can report residuals against the initiator's expected length
 *                  (RFC 7143 §11.4.5); -1 when the command takes no Data-Out
 */
public record ScsiResponse(ScsiStatus status, ByteBuf dataIn, byte[] sense, int dataOutLength) {

    /** A response for a command that takes no Data-Out. */
    public ScsiResponse(ScsiStatus status, ByteBuf dataIn, byte[] sense) {
        this(status, dataIn, sense, -1);
    }

    /** The same response, recording that the CDB asked for {@code bytes} of Data-Out. */
    public ScsiResponse withDataOutLength(int bytes) {
        return new ScsiResponse(status, dataIn, sense, bytes);
    }

    public static ScsiResponse good() {
        return new ScsiResponse(ScsiStatus.GOOD, null, null);
    }

    public static ScsiResponse good(ByteBuf dataIn) {
        return new ScsiResponse(ScsiStatus.GOOD, dataIn, null);
    }

    public static ScsiResponse status(ScsiStatus status) {
        return new ScsiResponse(status, null, null);
    }
}
