package io.platter.iscsi.session;

import io.platter.iscsi.pdu.Bhs;
import io.platter.iscsi.pdu.LogoutRequest;
import io.platter.iscsi.pdu.NopOut;
import io.platter.iscsi.pdu.Opcode;
import io.platter.iscsi.pdu.ProtocolException;
import io.platter.iscsi.pdu.RejectReason;
import io.platter.iscsi.pdu.TaskManagementRequest;
import io.platter.iscsi.pdu.TextRequest;

/**
 * What the session's command window holds until its CmdSN comes (RFC 7143 §4.2.2.1): a SCSI
 * command, or one of the other numbered requests. Each knows how the connection that carried it
 * (allegiance, §5.1) delivers it, and how it is dropped when it never comes to turn.
 */
sealed interface WindowItem {

    /** Hands the item to {@code handler}, which then owns it. */
    void deliverTo(FullFeatureHandler handler);

    /** Drops the item without delivering it (released exactly once). */
    void discardFrom(FullFeatureHandler handler);

    /** A SCSI Command with the task gathering its Data-Out. */
    record Command(CommandTask task) implements WindowItem {
        @Override
        public void deliverTo(FullFeatureHandler handler) {
            handler.startTask(task);
        }

        @Override
        public void discardFrom(FullFeatureHandler handler) {
            handler.dropUndelivered(task);
        }
    }

    /** NOP-Out (RFC 7143 §11.18). */
    record Nop(NopOut pdu) implements WindowItem {
        @Override
        public void deliverTo(FullFeatureHandler handler) {
            handler.onNopOut(pdu);
        }

        @Override
        public void discardFrom(FullFeatureHandler handler) {
            pdu.release();
        }
    }

    /** Text Request (RFC 7143 §11.10). */
    record Text(TextRequest pdu) implements WindowItem {
        @Override
        public void deliverTo(FullFeatureHandler handler) {
            handler.onText(pdu);
        }

        @Override
        public void discardFrom(FullFeatureHandler handler) {
            pdu.release();
        }
    }

    /** Logout Request (RFC 7143 §11.14). */
    record Logout(LogoutRequest pdu) implements WindowItem {
        @Override
        public void deliverTo(FullFeatureHandler handler) {
            handler.onLogout(pdu);
        }

        @Override
        public void discardFrom(FullFeatureHandler handler) {
            pdu.release();
        }
    }

    /** Task Management Function Request (RFC 7143 §11.5). */
    record TaskManagement(TaskManagementRequest pdu) implements WindowItem {
        @Override
        public void deliverTo(FullFeatureHandler handler) {
            handler.onTaskManagement(pdu);
        }

        @Override
        public void discardFrom(FullFeatureHandler handler) {
            pdu.release();
        }
    }

    /**
     * The CmdSN of a rejected PDU, which the Reject consumed (RFC 7143 §4.2.2.1, §11.17): delivering
     * it does nothing but let the commands numbered after it pass, so the initiator, which will not
     * send that CmdSN again, does not wait forever behind the gap.
     */
    record Rejected() implements WindowItem {
        @Override
        public void deliverTo(FullFeatureHandler handler) {
        }

        @Override
        public void discardFrom(FullFeatureHandler handler) {
        }

        /**
         * Whether the Reject of {@code e} consumed the CmdSN in its header: a non-immediate PDU of the
         * initiator range (opcodes 0x00-0x1f, RFC 7143 §11.2.1.2; CmdSN in bytes 24-27), except
         * Data-Out and SNACK, which carry none. A data digest error does not consume it: the
         * initiator retries the command with the same CmdSN (§7.8, §6.2.1). A fatal error closes
         * the connection and so ends its numbering anyway.
         */
        static boolean consumesCmdSn(ProtocolException e) {
            byte[] header = e.rejectedHeader();
            if (e.fatal() || e.reason() == RejectReason.DATA_DIGEST_ERROR
                    || (header[0] & Bhs.IMMEDIATE) != 0) {
                return false;
            }
            int opcode = header[0] & 0x3f;
            return opcode < 0x20 && opcode != Opcode.DATA_OUT.code() && opcode != Opcode.SNACK_REQUEST.code();
        }

        /** The CmdSN in a rejected header (bytes 24-27 of every numbered initiator PDU). */
        static int cmdSn(ProtocolException e) {
            byte[] h = e.rejectedHeader();
            return (h[24] & 0xff) << 24 | (h[25] & 0xff) << 16 | (h[26] & 0xff) << 8 | (h[27] & 0xff);
        }
    }
}
