package io.platter.scsi.sense;

import java.util.HashMap;
import java.util.Map;

/**
 * Every reason a command ends in CHECK CONDITION, with its sense key, additional sense code and
 * qualifier (SPC-5 §4.4.5 and Annex D). The only place these numbers appear.
 */
public enum Sense {
    NO_SENSE(SenseKey.NO_SENSE, 0x00, 0x00),
    PARAMETER_LIST_LENGTH_ERROR(SenseKey.ILLEGAL_REQUEST, 0x1A, 0x00),
    INVALID_COMMAND_OPERATION_CODE(SenseKey.ILLEGAL_REQUEST, 0x20, 0x00),
    LBA_OUT_OF_RANGE(SenseKey.ILLEGAL_REQUEST, 0x21, 0x00),
    INVALID_FIELD_IN_CDB(SenseKey.ILLEGAL_REQUEST, 0x24, 0x00),
    LOGICAL_UNIT_NOT_SUPPORTED(SenseKey.ILLEGAL_REQUEST, 0x25, 0x00),
    INVALID_FIELD_IN_PARAMETER_LIST(SenseKey.ILLEGAL_REQUEST, 0x26, 0x00),
    /** EXTENDED COPY (SPC-4 §6.3): more target descriptors than RECEIVE COPY RESULTS reports. */
    TOO_MANY_TARGET_DESCRIPTORS(SenseKey.ILLEGAL_REQUEST, 0x26, 0x06),
    UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE(SenseKey.ILLEGAL_REQUEST, 0x26, 0x07),
    TOO_MANY_SEGMENT_DESCRIPTORS(SenseKey.ILLEGAL_REQUEST, 0x26, 0x08),
    UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE(SenseKey.ILLEGAL_REQUEST, 0x26, 0x09),
    INVALID_RELEASE_OF_PERSISTENT_RESERVATION(SenseKey.ILLEGAL_REQUEST, 0x26, 0x04),
    INSUFFICIENT_REGISTRATION_RESOURCES(SenseKey.ILLEGAL_REQUEST, 0x55, 0x04),
    /**
     * ROD tokens (SPC-5 §5.17.6, Annex D, ASC 23h INVALID TOKEN OPERATION): a WRITE USING TOKEN
     * whose token this copy manager refuses before any data moves. ILLEGAL REQUEST, as a bad
     * parameter; the initiator (Windows ODX) falls back to an ordinary copy.
     */
    TOKEN_UNSUPPORTED_TYPE(SenseKey.ILLEGAL_REQUEST, 0x23, 0x01),
    /** A token created by a unit of another target (tokens work across the units of one target). */
    TOKEN_REMOTE_USAGE_NOT_SUPPORTED(SenseKey.ILLEGAL_REQUEST, 0x23, 0x02),
    TOKEN_UNKNOWN(SenseKey.ILLEGAL_REQUEST, 0x23, 0x04),
    /** The token's MAC does not match: forged, damaged, or made before this daemon started. */
    TOKEN_CORRUPT(SenseKey.ILLEGAL_REQUEST, 0x23, 0x05),
    TOKEN_EXPIRED(SenseKey.ILLEGAL_REQUEST, 0x23, 0x07),
    /** The data the token represents changed (a write to its source range, a revert). */
    TOKEN_CANCELLED(SenseKey.ILLEGAL_REQUEST, 0x23, 0x08),
    TOKEN_DELETED(SenseKey.ILLEGAL_REQUEST, 0x23, 0x09),
    INVALID_TOKEN_LENGTH(SenseKey.ILLEGAL_REQUEST, 0x23, 0x0A),
    /** The token was cancelled while WRITE USING TOKEN was moving its data: the copy stops there. */
    COPY_ABORTED_TOKEN_CANCELLED(SenseKey.COPY_ABORTED, 0x23, 0x08),
    /** POPULATE TOKEN while the copy manager holds as many live tokens as it may (SPC-5 Annex D, 55h/0Dh). */
    INSUFFICIENT_RESOURCES_TO_CREATE_ROD_TOKEN(SenseKey.ILLEGAL_REQUEST, 0x55, 0x0D),
    SAVING_PARAMETERS_NOT_SUPPORTED(SenseKey.ILLEGAL_REQUEST, 0x39, 0x00),
    WRITE_ERROR(SenseKey.MEDIUM_ERROR, 0x0C, 0x00),
    UNRECOVERED_READ_ERROR(SenseKey.MEDIUM_ERROR, 0x11, 0x00),
    WRITE_PROTECTED(SenseKey.DATA_PROTECT, 0x27, 0x00),
    SPACE_ALLOCATION_FAILED_WRITE_PROTECT(SenseKey.DATA_PROTECT, 0x27, 0x07),
    /**
     * The unit's medium cannot be opened (an offline LUN: its image is missing, damaged or locked)
     * until an operator fixes it (SPC-5 Annex D, ASC/ASCQ 04h/03h). A transient condition for the
     * initiator, not the loss of the device.
     */
    LOGICAL_UNIT_NOT_READY_MANUAL_INTERVENTION_REQUIRED(SenseKey.NOT_READY, 0x04, 0x03),
    /**
     * A SANITIZE is running (SBC-4 §4.11.3, SPC-5 Annex D 04h/1Bh): every command that needs the
     * medium is refused, with the progress indication in the sense-key specific bytes.
     */
    LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS(SenseKey.NOT_READY, 0x04, 0x1B),
    INTERNAL_TARGET_FAILURE(SenseKey.HARDWARE_ERROR, 0x44, 0x00),
    MISCOMPARE_DURING_VERIFY(SenseKey.MISCOMPARE, 0x1D, 0x00),
    /**
     * EXTENDED COPY: a segment cannot be processed because its blocks lie outside a copy target's
     * capacity. The copy target's own error (LBA OUT OF RANGE) has no place in LID1 sense here,
     * so the copy manager reports the abort without an additional sense code.
     */
    COPY_ABORTED(SenseKey.COPY_ABORTED, 0x00, 0x00),
    /** EXTENDED COPY: a segment names a target descriptor that does not exist or no unit of this target. */
    COPY_TARGET_DEVICE_NOT_REACHABLE(SenseKey.COPY_ABORTED, 0x0D, 0x02),
    /** The transport saw the command's data transfer go wrong (e.g. a Data-Out DataSN error). */
    DATA_PHASE_ERROR(SenseKey.ABORTED_COMMAND, 0x4B, 0x00),
    /** An offline unit got its medium (SPC-5 Annex D, 28h/00h): NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED. */
    NOT_READY_TO_READY_CHANGE(SenseKey.UNIT_ATTENTION, 0x28, 0x00),
    POWER_ON_RESET_OR_BUS_DEVICE_RESET(SenseKey.UNIT_ATTENTION, 0x29, 0x00),
    /** Tasks of this nexus were aborted by another one (PREEMPT AND ABORT, SAM-5 §5.6, TAS=0). */
    COMMANDS_CLEARED_BY_ANOTHER_INITIATOR(SenseKey.UNIT_ATTENTION, 0x2F, 0x00),
    MODE_PARAMETERS_CHANGED(SenseKey.UNIT_ATTENTION, 0x2A, 0x01),
    RESERVATIONS_PREEMPTED(SenseKey.UNIT_ATTENTION, 0x2A, 0x03),
    RESERVATIONS_RELEASED(SenseKey.UNIT_ATTENTION, 0x2A, 0x04),
    REGISTRATIONS_PREEMPTED(SenseKey.UNIT_ATTENTION, 0x2A, 0x05),
    CAPACITY_DATA_HAS_CHANGED(SenseKey.UNIT_ATTENTION, 0x2A, 0x09),
    THIN_PROVISIONING_SOFT_THRESHOLD_REACHED(SenseKey.UNIT_ATTENTION, 0x38, 0x07),
    REPORTED_LUNS_DATA_HAS_CHANGED(SenseKey.UNIT_ATTENTION, 0x3F, 0x0E);

    static {
        Map<Integer, Sense> seen = new HashMap<>();
        for (Sense s : values()) {
            int code = s.key.wire() << 16 | s.asc << 8 | s.ascq;
            Sense previous = seen.put(code, s);
            if (previous != null) {
                throw new ExceptionInInitializerError("duplicate sense " + s + " / " + previous);
            }
        }
    }

    private final SenseKey key;
    private final int asc;
    private final int ascq;

    Sense(SenseKey key, int asc, int ascq) {
        this.key = key;
        this.asc = asc;
        this.ascq = ascq;
    }

    public SenseKey key() {
        return key;
    }

    /** Additional sense code. */
    public int asc() {
        return asc;
    }

    /** Additional sense code qualifier. */
    public int ascq() {
        return ascq;
    }
}
