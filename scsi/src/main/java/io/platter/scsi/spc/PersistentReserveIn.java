package io.platter.scsi.spc;

import io.platter.scsi.TargetPort;
import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.reservation.PrType;
import io.platter.scsi.reservation.Registration;
import io.platter.scsi.reservation.ReservationState;
import io.platter.scsi.reservation.TransportId;
import io.platter.scsi.task.Task;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * PERSISTENT RESERVE IN (SPC-5 §6.15): READ KEYS (§6.15.2), READ RESERVATION (§6.15.3), REPORT
 * CAPABILITIES (§6.15.4) and READ FULL STATUS (§6.15.5), one table row per service action.
 */
final class PersistentReserveIn implements CommandHandler {

    /** The service actions (SPC-5 §6.15.1, table 191). */
    enum ServiceAction { READ_KEYS, READ_RESERVATION, REPORT_CAPABILITIES, READ_FULL_STATUS }

    /** REPORT CAPABILITIES byte 2: CRH (SPC-5 §5.14.3 exceptions honoured), ATP_C, PTPL_C; SIP_C 0: no SPEC_I_PT. */
    static final int CAPABILITIES = 0x10 | 0x04 | 0x01;
    /** REPORT CAPABILITIES byte 3: TMV, ALLOW COMMANDS 001b (TEST UNIT READY allowed under WE/EA). */
    static final int TYPE_MASK_VALID_AND_ALLOW = 0x80 | 0x10;
    private static final int LU_SCOPE = 0;

    private final ServiceAction action;

    PersistentReserveIn(ServiceAction action) {
        this.action = action;
    }

    @Override
    public void execute(Task task) {
        ReservationState s = task.unit().reservations().snapshot();
        byte[] data = switch (action) {
            case READ_KEYS -> readKeys(s);
            case READ_RESERVATION -> readReservation(s);
            case REPORT_CAPABILITIES -> reportCapabilities(s);
            case READ_FULL_STATUS -> readFullStatus(s);
        };
        task.completeWith(data, Cdb.u16(task.cdb(), 7));
    }

    private static byte[] readKeys(ReservationState s) {
        ByteBuffer b = ByteBuffer.allocate(8 + 8 * s.registrations().size());
        b.putInt((int) s.generation());
        b.putInt(8 * s.registrations().size());
        s.registrations().forEach(r -> b.putLong(r.key()));
        return b.array();
    }

    private static byte[] readReservation(ReservationState s) {
        boolean reserved = s.type() != null;
        ByteBuffer b = ByteBuffer.allocate(reserved ? 24 : 8);
        b.putInt((int) s.generation());
        b.putInt(reserved ? 16 : 0);
        if (reserved) {
            // All registrants types report key 0 (SPC-5 §6.15.3.3): every registrant holds it.
            b.putLong(s.type().allRegistrants() ? 0 : s.registrations().get(s.holder()).key());
            b.putInt(0);
            b.put((byte) 0);
            b.put((byte) (LU_SCOPE << 4 | s.type().wire()));
        }
        return b.array();
    }

    private static byte[] reportCapabilities(ReservationState s) {
        int mask = 0;
        for (PrType t : PrType.values()) {
            mask |= t.capabilityMask();
        }
        ByteBuffer b = ByteBuffer.allocate(8);
        b.putShort((short) 8);
        b.put((byte) CAPABILITIES);
        b.put((byte) (TYPE_MASK_VALID_AND_ALLOW | (s.aptpl() ? 0x01 : 0)));
        b.putShort((short) mask);
        return b.array();
    }

    private static byte[] readFullStatus(ReservationState s) {
        ByteArrayOutputStream descriptors = new ByteArrayOutputStream();
        for (int i = 0; i < s.registrations().size(); i++) {
            Registration r = s.registrations().get(i);
            boolean holder = s.type() != null && (s.type().allRegistrants() || i == s.holder());
            byte[] tid = TransportId.encode(r.nexus().initiatorPort());
            ByteBuffer d = ByteBuffer.allocate(24 + tid.length);
            d.putLong(r.key());
            d.putInt(0);
            d.put((byte) ((r.allTargetPorts() ? 0x02 : 0) | (holder ? 0x01 : 0)));
            d.put((byte) (holder ? LU_SCOPE << 4 | s.type().wire() : 0));
            d.putInt(0);
            d.putShort((short) TargetPort.RELATIVE_TARGET_PORT);
            d.putInt(tid.length);
            d.put(tid);
            descriptors.writeBytes(d.array());
        }
        ByteBuffer b = ByteBuffer.allocate(8 + descriptors.size());
        b.putInt((int) s.generation());
        b.putInt(descriptors.size());
        b.put(descriptors.toByteArray());
        return b.array();
    }
}
