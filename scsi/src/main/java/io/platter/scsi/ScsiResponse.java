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
 */
public record ScsiResponse(ScsiStatus status, ByteBuf dataIn, byte[] sense) {

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
