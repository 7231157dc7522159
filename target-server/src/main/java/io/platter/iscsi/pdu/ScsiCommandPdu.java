package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * SCSI Command (RFC 7143 §11.3). The CDB is the 16 BHS bytes followed by the bytes of an
 * Extended CDB AHS (§11.2.2.3) when there is one; {@code data} is the immediate data.
 */
public record ScsiCommandPdu(boolean immediate, boolean finalBit, boolean read, boolean write, int attribute,
                             long lun, int itt, int expectedDataTransferLength, int cmdSn, int expStatSn,
                             byte[] cdb, ByteBuf data,
                             ByteBuf receivedBhs) implements Pdu {

    /** A PDU built here, not received: it has no {@link #receivedBhs()}. */
    public ScsiCommandPdu(boolean immediate, boolean finalBit, boolean read, boolean write, int attribute, long lun,
                int itt, int expectedDataTransferLength, int cmdSn, int expStatSn, byte[] cdb, ByteBuf data) {
        this(immediate, finalBit, read, write, attribute, lun, itt, expectedDataTransferLength, cmdSn, expStatSn,
                cdb, data, null);
    }

    public static final int READ = 0x40;
    public static final int WRITE = 0x20;
    private static final int AHS_EXTENDED_CDB = 1;
    private static final int AHS_BIDI_READ_LENGTH = 2;

    static ScsiCommandPdu decode(Bhs b, Opcode.ByteBufHolder d) throws ProtocolException {
        int flags = b.flags();
        byte[] cdb = new byte[16];
        b.buffer().getBytes(b.base() + 32, cdb);
        ByteBuf ahs = d.ahs();
        // An AHS that contradicts TotalAHSLength or has an unknown type is a format error (RFC 7143
        // §7.7): the connection closes. A Reject alone would leave the command's CmdSN a gap that
        // no later command can pass (§7.3), so the connection would stop answering.
        while (ahs != null && ahs.isReadable()) {
            // AHS (§11.2.2): AHSLength(2) AHSType(1) then AHSLength bytes of specific data.
            if (ahs.readableBytes() < 4) {
                throw ProtocolException.formatError(RejectReason.PROTOCOL_ERROR, "truncated AHS", b.buffer());
            }
            int length = ahs.readUnsignedShort();
            int type = ahs.readUnsignedByte();
            int padded = (length + 3 + 3) & ~3; // type byte counted, header of 3 bytes
            if (padded - 3 > ahs.readableBytes() || length == 0) {
                throw ProtocolException.formatError(RejectReason.PROTOCOL_ERROR, "AHS length " + length,
                        b.buffer());
            }
            if (type == AHS_EXTENDED_CDB) {
                // First specific byte is reserved; the rest extends the CDB beyond 16 bytes.
                byte[] longer = new byte[16 + length - 1];
                System.arraycopy(cdb, 0, longer, 0, 16);
                ahs.getBytes(ahs.readerIndex() + 1, longer, 16, length - 1);
                cdb = longer;
            } else if (type != AHS_BIDI_READ_LENGTH) {
                throw ProtocolException.formatError(RejectReason.INVALID_PDU_FIELD, "AHS type " + type,
                        b.buffer());
            }
            ahs.skipBytes(padded - 3);
        }
        return new ScsiCommandPdu(b.immediate(), (flags & Bhs.FINAL) != 0, (flags & READ) != 0,
                (flags & WRITE) != 0, flags & 0x07, b.lun(), b.itt(), b.i32(20), b.i32(24), b.i32(28),
                cdb, d.data(), d.receivedBhs());
    }

    @Override
    public Opcode opcode() {
        return Opcode.SCSI_COMMAND;
    }

    @Override
    public ByteBuf ahs() {
        if (cdb.length <= 16) {
            return Unpooled.EMPTY_BUFFER;
        }
        int extra = cdb.length - 16;
        int length = extra + 1;
        ByteBuf ahs = Unpooled.buffer((3 + length + 3) & ~3);
        ahs.writeShort(length).writeByte(AHS_EXTENDED_CDB).writeByte(0).writeBytes(cdb, 16, extra);
        ahs.writeZero(ahs.capacity() - ahs.writerIndex());
        return ahs;
    }

    @Override
    public void writeBhs(Bhs b) {
        b.flags((finalBit ? Bhs.FINAL : 0) | (read ? READ : 0) | (write ? WRITE : 0) | (attribute & 7))
                .i64(8, lun).i32(16, itt).i32(20, expectedDataTransferLength).i32(24, cmdSn).i32(28, expStatSn);
        b.buffer().setBytes(b.base() + 32, cdb, 0, Math.min(16, cdb.length));
    }
}
