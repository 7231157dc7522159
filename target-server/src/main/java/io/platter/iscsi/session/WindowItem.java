package io.platter.iscsi.session;

import io.platter.iscsi.pdu.LogoutRequest;
import io.platter.iscsi.pdu.NopOut;
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
}
