package io.platter.scsi.spc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.platter.scsi.ItNexus;
import io.platter.scsi.TargetPort;
import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.reservation.PrType;
import io.platter.scsi.reservation.Registration;
import io.platter.scsi.reservation.ReservationConflictException;
import io.platter.scsi.reservation.Reservations;
import io.platter.scsi.reservation.TransportId;
import io.platter.scsi.reservation.Turnstile;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.sense.StorageErrors;
import io.platter.scsi.task.Task;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * PERSISTENT RESERVE OUT (SPC-5 §6.16), one table row per service action. Parses and checks
 * the CDB and the parameter list (§6.16.3, or §6.16.4 for REGISTER AND MOVE), then runs the
 * service action on the I/O executor in the unit's reservation turn (one at a time per unit,
 * queued without blocking), since with APTPL it writes the state durably before completing. SPEC_I_PT is not supported (SIP_C=0): INVALID FIELD IN PARAMETER LIST. Format 00b
 * iSCSI TransportIDs name every port of an initiator (any ISID), which a registration (one I_T
 * nexus, or one initiator port through every target port) cannot express, and no initiator
 * Platter serves (WSFC, ESXi, fence_scsi, dm-multipath) registers that way; half support behind
 * SIP_C=1 would mislead the clients that check it. PREEMPT AND ABORT
 * aborts the preempted nexuses' tasks through the target's {@link io.platter.scsi.TaskAborter}.
 */
final class PersistentReserveOut implements CommandHandler {

    /** The service actions (SPC-5 §6.16.2, table 206), in wire order. */
    enum ServiceAction {
        REGISTER, RESERVE, RELEASE, CLEAR, PREEMPT, PREEMPT_AND_ABORT, REGISTER_AND_IGNORE_EXISTING_KEY,
        REGISTER_AND_MOVE;

        boolean needsType() {
            return this == RESERVE || this == RELEASE || this == PREEMPT || this == PREEMPT_AND_ABORT;
        }

        boolean registers() {
            return this == REGISTER || this == REGISTER_AND_IGNORE_EXISTING_KEY;
        }
    }

    private static final int SCOPE_TYPE = 2;
    private static final int BASIC_LIST_LENGTH = 24;
    private static final int FLAGS = 20;
    private static final int SPEC_I_PT = 3;
    private static final int ALL_TG_PT = 2;
    private static final int MOVE_FLAGS = 17;
    private static final int MOVE_PORT = 18;
    private static final int MOVE_TRANSPORT_ID_LENGTH = 20;
    /** Event loops answer an abort in microseconds; this only guards against a wedged one. */
    private static final long ABORT_TIMEOUT_SECONDS = 30;

    private final ServiceAction action;

    PersistentReserveOut(ServiceAction action) {
        this.action = action;
    }

    @Override
    public void execute(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        PrType type = null;
        if (action.needsType()) {
            if ((cdb[SCOPE_TYPE] & 0xF0) != 0) {
                throw CheckConditionException.invalidCdbField(SCOPE_TYPE, 7);   // LU_SCOPE only
            }
            type = PrType.of(cdb[SCOPE_TYPE] & 0x0F);
            if (type == null) {
                throw CheckConditionException.invalidCdbField(SCOPE_TYPE, 3);
            }
        }
        long listLength = Cdb.u32(cdb, 5);
        task.expectDataOut((int) Math.min(listLength, Integer.MAX_VALUE));
        boolean move = action == ServiceAction.REGISTER_AND_MOVE;
        ByteBuf out = task.dataOut();
        if ((move ? listLength < BASIC_LIST_LENGTH : listLength != BASIC_LIST_LENGTH)
                || out == null || out.readableBytes() < listLength) {
            throw new CheckConditionException(Sense.PARAMETER_LIST_LENGTH_ERROR);
        }
        byte[] list = ByteBufUtil.getBytes(out, out.readerIndex(), (int) listLength);  // control data, not the data path
        long key = Cdb.u64(list, 0);
        long serviceActionKey = Cdb.u64(list, 8);
        ItNexus nexus = task.command().nexus();
        Reservations reservations = task.unit().reservations();
        if (move) {
            ItNexus destination = destination(list, nexus);
            boolean unregister = Cdb.bit(list, MOVE_FLAGS, 1);
            boolean aptpl = Cdb.bit(list, MOVE_FLAGS, 0);
            inTurn(task, turn -> {
                reservations.registerAndMove(turn, nexus, key, serviceActionKey, destination, unregister, aptpl);
                return List.of();
            });
            return;
        }
        if (Cdb.bit(list, FLAGS, SPEC_I_PT)) {
            throw CheckConditionException.invalidParameter(FLAGS, SPEC_I_PT);
        }
        boolean allTargetPorts = Cdb.bit(list, FLAGS, ALL_TG_PT);
        if (allTargetPorts && !action.registers()) {
            throw CheckConditionException.invalidParameter(FLAGS, ALL_TG_PT);
        }
        boolean aptpl = Cdb.bit(list, FLAGS, 0);
        PrType t = type;
        inTurn(task, turn -> switch (action) {
            case REGISTER, REGISTER_AND_IGNORE_EXISTING_KEY -> {
                reservations.register(turn, nexus, key, serviceActionKey,
                        action == ServiceAction.REGISTER_AND_IGNORE_EXISTING_KEY, allTargetPorts, aptpl);
                yield List.of();
            }
            case RESERVE -> {
                reservations.reserve(turn, nexus, key, t);
                yield List.of();
            }
            case RELEASE -> {
                reservations.release(turn, nexus, key, t);
                yield List.of();
            }
            case CLEAR -> {
                reservations.clear(turn, nexus, key);
                yield List.of();
            }
            case PREEMPT -> {
                reservations.preempt(turn, nexus, key, serviceActionKey, t);
                yield List.of();
            }
            case PREEMPT_AND_ABORT -> reservations.preempt(turn, nexus, key, serviceActionKey, t);
            case REGISTER_AND_MOVE -> throw new IllegalStateException(action.name());
        });
    }

    /**
     * A service action that changes the reservations (with APTPL it saves them: blocking file
     * I/O); returns the registrations whose nexuses' tasks are to be aborted (PREEMPT AND ABORT).
     */
    @FunctionalInterface
    private interface Change {
        List<Registration> run(Turnstile.Turn turn) throws ReservationConflictException, CheckConditionException;
    }

    /**
     * Runs {@code change} on the I/O executor in the unit's reservation turn: PERSISTENT RESERVE
     * OUTs of a unit run one at a time, queued without blocking the event loop, and a save never
     * holds anything a conflict check needs ({@link Reservations}). The turn ends before tasks are
     * aborted: an aborted task may be waiting for it. Not a medium access: READ keeps it out of
     * the medium fence, and storage errors cannot come from it.
     */
    private static void inTurn(Task task, Change change) {
        task.unit().reservations().enter(turn -> task.submit(StorageErrors.Access.READ, () -> {
            List<Registration> preempted;
            try {
                preempted = change.run(turn);
            } finally {
                turn.release();
            }
            abort(task, preempted);
            return null;
        }, turn::release));
    }

    /**
     * The second half of PREEMPT AND ABORT (SPC-5 §5.14.11.5): the tasks of the preempted nexuses
     * on this LUN are aborted without status (TAS=0), and the nexuses that lost tasks get COMMANDS
     * CLEARED BY ANOTHER INITIATOR (SAM-5 §5.6). Waits on the I/O thread, after the reservation
     * turn is released, until no aborted task can send status, so none does after this command's status.
     * The issuer's own nexus is spared: its tasks include this command.
     */
    private static void abort(Task task, List<Registration> preempted) throws CheckConditionException {
        if (preempted.isEmpty()) {
            return;
        }
        ItNexus issuer = task.command().nexus();
        Predicate<ItNexus> which = n -> !n.equals(issuer) && preempted.stream().anyMatch(r -> r.covers(n));
        Set<ItNexus> cleared;
        try {
            cleared = task.target().aborter().abortTasks(task.command().lun(), which)
                    .get(ABORT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckConditionException(Sense.INTERNAL_TARGET_FAILURE);
        } catch (ExecutionException | TimeoutException e) {
            throw new CheckConditionException(Sense.INTERNAL_TARGET_FAILURE);
        }
        cleared.forEach(n -> task.unit().unitAttentions().raise(n, Sense.COMMANDS_CLEARED_BY_ANOTHER_INITIATOR));
    }

    /** The I_T nexus REGISTER AND MOVE names: a TransportID through the one target port. */
    private static ItNexus destination(byte[] list, ItNexus nexus) throws CheckConditionException {
        if (Cdb.u16(list, MOVE_PORT) != TargetPort.RELATIVE_TARGET_PORT) {
            throw CheckConditionException.invalidParameter(MOVE_PORT, -1);
        }
        long length = Cdb.u32(list, MOVE_TRANSPORT_ID_LENGTH);
        if (BASIC_LIST_LENGTH + length > list.length) {
            throw new CheckConditionException(Sense.PARAMETER_LIST_LENGTH_ERROR);
        }
        String port = TransportId.decode(list, BASIC_LIST_LENGTH, (int) length);
        if (port == null) {
            throw CheckConditionException.invalidParameter(BASIC_LIST_LENGTH, -1);
        }
        return new ItNexus(port, nexus.targetPort());
    }
}
