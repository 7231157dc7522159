package io.platter.scsi.reservation;

import io.platter.scsi.ItNexus;
import io.platter.scsi.attention.UnitAttentions;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.FieldPointer;
import io.platter.scsi.sense.Sense;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reservation state of one logical unit: the SPC-2 reservation (SPC-2 §5.5.1) and the
 * persistent reservation with its registrations (SPC-5 §5.14), the conflict check every command
 * goes through, and the persistent reservation service actions of SPC-5 §5.14.7-11.
 *
 * <p>Threads: the state is one immutable value published through an {@link AtomicReference};
 * {@link #check} and {@link #snapshot} read it and take no lock, so the event loops that check
 * every command never wait. Changes that can conflict with each other (the PERSISTENT RESERVE OUT
 * service actions and SPC-2 RESERVE) run one at a time in the unit's {@link Turnstile}: each
 * takes a {@link Turnstile.Turn} (queued, never blocking), computes the next state from the
 * current one and, with APTPL, saves it through the {@link ReservationStore} before publishing
 * it. So a save (blocking file I/O, on the I/O executor) never delays a conflict check; commands
 * see the old state until the new one is durable. Unit attentions a service action causes are
 * raised only after the save, and a failed save changes nothing: neither state nor attentions.
 * Releasing an SPC-2 reservation (RELEASE, reset, nexus loss) needs no turn: it only ever clears
 * the holder.
 */
public final class Reservations {

    private static final Logger log = LoggerFactory.getLogger(Reservations.class);
    /** Byte offset of the SERVICE ACTION RESERVATION KEY in the PERSISTENT RESERVE OUT parameter list. */
    private static final int SERVICE_ACTION_KEY_OFFSET = 8;

    /** Everything {@link #check} reads, published whole. */
    private record Published(ItNexus spc2Holder, ReservationState persistent) {
        Published withSpc2(ItNexus holder) {
            return new Published(holder, persistent);
        }
    }

    private final UnitAttentions attentions;
    private final ReservationStore store;
    private final Turnstile turnstile = new Turnstile();
    private final AtomicReference<Published> state;

    /** Loads the saved state from {@code store}. */
    public Reservations(UnitAttentions attentions, ReservationStore store) throws IOException {
        this.attentions = attentions;
        this.store = store;
        this.state = new AtomicReference<>(new Published(null, store.load()));
    }

    /** Throws when a command of the given access column from {@code nexus} conflicts with a reservation. Lock-free. */
    public void check(ItNexus nexus, ReservationAccess access) throws ReservationConflictException {
        Published s = state.get();
        if (s.spc2Holder() != null && !s.spc2Holder().equals(nexus)) {
            if (access.spc2Conflict()) {
                throw new ReservationConflictException("reserved (SPC-2) by " + s.spc2Holder());
            }
            return;
        }
        ReservationState p = s.persistent();
        if (p.type() == null || p.holds(nexus) || p.type().registrantsOnly() && p.find(nexus) != null) {
            return;
        }
        if (access.conflicts(p.type())) {
            throw new ReservationConflictException("persistent reservation " + p.type());
        }
    }

    /**
     * Calls {@code granted} with a turn to change the reservations once every earlier change is
     * done (see {@link Turnstile#enter}); the service actions below that take a turn need it.
     */
    public void enter(Consumer<Turnstile.Turn> granted) {
        turnstile.enter(granted);
    }

    // ---- SPC-2 RESERVE / RELEASE

    /** RESERVE(6)/(10) of the whole unit (SPC-2 §7.21; SPC-5 §5.14.3: conflicts with persistent reservations). */
    public void reserve(Turnstile.Turn turn, ItNexus nexus) throws ReservationConflictException {
        Published s = current(turn);
        if (s.spc2Holder() != null && !s.spc2Holder().equals(nexus)) {
            throw new ReservationConflictException("reserved by " + s.spc2Holder());
        }
        if (s.persistent().type() != null || !s.persistent().registrations().isEmpty()) {
            throw new ReservationConflictException("persistent reservation or registrations exist");
        }
        // Only a turn sets the holder and changes the persistent state; others only clear the holder.
        state.updateAndGet(p -> p.withSpc2(nexus));
    }

    /** RELEASE(6)/(10): releases the reservation if {@code nexus} holds it, else does nothing (SPC-2 §7.17). */
    public void release(ItNexus nexus) {
        state.updateAndGet(p -> nexus.equals(p.spc2Holder()) ? p.withSpc2(null) : p);
    }

    /** A logical unit or target reset releases the SPC-2 reservation; persistent reservations stay (SPC-5 §5.14.1). */
    public void reset() {
        state.updateAndGet(p -> p.withSpc2(null));
    }

    /** I_T nexus loss releases an SPC-2 reservation held through that nexus (SPC-2 §5.5.1). */
    public void nexusLost(ItNexus nexus) {
        release(nexus);
    }

    // ---- PERSISTENT RESERVE IN

    /** The persistent reservation state, for PERSISTENT RESERVE IN. Lock-free. */
    public ReservationState snapshot() {
        return state.get().persistent();
    }

    // ---- PERSISTENT RESERVE OUT (SPC-5 §6.16.2), each in a turn, on the I/O executor (it may save)

    /**
     * REGISTER and REGISTER AND IGNORE EXISTING KEY (SPC-5 §5.14.7): registers, changes the key of
     * or (service action key 0) removes the registration of {@code nexus}.
     */
    public void register(Turnstile.Turn turn, ItNexus nexus, long key, long serviceActionKey, boolean ignoreExisting,
                         boolean allTargetPorts, boolean newAptpl)
            throws ReservationConflictException, CheckConditionException {
        Draft d = draft(turn, nexus);
        Registration r = d.find(nexus);
        if (!ignoreExisting && key != (r == null ? 0 : r.key())) {
            throw new ReservationConflictException("reservation key does not match");
        }
        if (r == null && serviceActionKey == 0) {
            return;   // unregistering an unregistered nexus: nothing happens, no generation change
        }
        if (r == null) {
            d.registrations.add(new Registration(nexus, serviceActionKey, allTargetPorts));
        } else if (serviceActionKey == 0) {
            d.unregister(r);
        } else {
            d.replace(r, r.withKey(serviceActionKey));
        }
        d.aptpl = newAptpl;
        d.generation++;
        commit(d, Sense.INSUFFICIENT_REGISTRATION_RESOURCES);
    }

    /** RESERVE (SPC-5 §5.14.9). */
    public void reserve(Turnstile.Turn turn, ItNexus nexus, long key, PrType newType)
            throws ReservationConflictException, CheckConditionException {
        Draft d = draft(turn, nexus);
        Registration r = d.registered(nexus, key);
        if (d.type != null) {
            if (d.holds(nexus) && d.type == newType) {
                return;
            }
            throw new ReservationConflictException("already reserved");
        }
        d.holder = r;
        d.type = newType;
        // RESERVE changes neither registrations nor generation; with APTPL the holder is saved.
        commit(d, Sense.INTERNAL_TARGET_FAILURE);
    }

    /** RELEASE (SPC-5 §5.14.11.2). */
    public void release(Turnstile.Turn turn, ItNexus nexus, long key, PrType releaseType)
            throws ReservationConflictException, CheckConditionException {
        Draft d = draft(turn, nexus);
        d.registered(nexus, key);
        if (d.type == null || !d.holds(nexus)) {
            return;
        }
        if (d.type != releaseType) {
            throw new CheckConditionException(Sense.INVALID_RELEASE_OF_PERSISTENT_RESERVATION);
        }
        PrType released = d.type;
        d.holder = null;
        d.type = null;
        if (released.registrantsOnly()) {
            // Only the other registrants learn of it: the releaser knows (SPC-5 §5.14.11.2.2).
            d.raiseForRegistrants(Sense.RESERVATIONS_RELEASED, r -> !r.covers(nexus));
        }
        commit(d, Sense.INTERNAL_TARGET_FAILURE);
    }

    /** CLEAR (SPC-5 §5.14.11.6): removes every registration and the reservation. */
    public void clear(Turnstile.Turn turn, ItNexus nexus, long key)
            throws ReservationConflictException, CheckConditionException {
        Draft d = draft(turn, nexus);
        d.registered(nexus, key);
        d.raiseForRegistrants(Sense.RESERVATIONS_PREEMPTED, r -> !r.covers(nexus));
        d.registrations.clear();
        d.holder = null;
        d.type = null;
        d.generation++;
        commit(d, Sense.INTERNAL_TARGET_FAILURE);
    }

    /**
     * PREEMPT and PREEMPT AND ABORT (SPC-5 §5.14.11.4-5): removes registrations and moves the
     * reservation. Returns the removed registrations, whose nexuses' tasks PREEMPT AND ABORT then
     * aborts (after releasing the turn: an aborted task may be waiting for it).
     */
    public List<Registration> preempt(Turnstile.Turn turn, ItNexus nexus, long key, long serviceActionKey,
                                      PrType newType) throws ReservationConflictException, CheckConditionException {
        Draft d = draft(turn, nexus);
        Registration issuer = d.registered(nexus, key);
        List<Registration> removed;
        boolean preemptsReservation = d.type != null
                && (d.type.allRegistrants() ? serviceActionKey == 0 : serviceActionKey == d.holder.key());
        if (!preemptsReservation) {
            if (serviceActionKey == 0) {
                throw new CheckConditionException(Sense.INVALID_FIELD_IN_PARAMETER_LIST,
                        FieldPointer.parameter(SERVICE_ACTION_KEY_OFFSET));
            }
            removed = d.removeRegistrations(r -> r.key() == serviceActionKey && r != issuer);
            if (removed.isEmpty()) {
                throw new ReservationConflictException("no registration with the service action key");
            }
        } else {
            PrType oldType = d.type;
            removed = d.type.allRegistrants() ? d.removeRegistrations(r -> r != issuer)
                    : d.removeRegistrations(r -> r.key() == serviceActionKey && r != issuer);
            d.holder = issuer;
            d.type = newType;
            if (oldType != newType) {
                d.raiseForRegistrants(Sense.RESERVATIONS_RELEASED, r -> r != issuer);
            }
        }
        d.generation++;
        commit(d, Sense.INTERNAL_TARGET_FAILURE);
        return removed;
    }

    /** REGISTER AND MOVE (SPC-5 §5.14.8): registers {@code destination} and moves the reservation there. */
    public void registerAndMove(Turnstile.Turn turn, ItNexus nexus, long key, long serviceActionKey,
                                ItNexus destination, boolean unregister, boolean newAptpl)
            throws ReservationConflictException, CheckConditionException {
        Draft d = draft(turn, nexus);
        Registration r = d.registered(nexus, key);
        if (d.type == null || !d.holds(nexus) || d.type.allRegistrants()) {
            throw new ReservationConflictException("not the holder of a movable reservation");
        }
        if (serviceActionKey == 0) {
            throw new CheckConditionException(Sense.INVALID_FIELD_IN_PARAMETER_LIST,
                    FieldPointer.parameter(SERVICE_ACTION_KEY_OFFSET));
        }
        if (r.covers(destination)) {
            throw new CheckConditionException(Sense.INVALID_FIELD_IN_PARAMETER_LIST, FieldPointer.parameter(24));
        }
        Registration existing = d.find(destination);
        Registration moved;
        if (existing == null) {
            moved = new Registration(destination, serviceActionKey, false);
            d.registrations.add(moved);
        } else {
            moved = existing.withKey(serviceActionKey);
            d.replace(existing, moved);
        }
        d.holder = moved;
        if (unregister) {
            d.registrations.remove(r);
        }
        d.aptpl = newAptpl;
        d.generation++;
        commit(d, Sense.INSUFFICIENT_REGISTRATION_RESOURCES);
    }

    // ---- internals

    private Published current(Turnstile.Turn turn) {
        if (turn == null || !turn.heldOn(turnstile)) {
            throw new IllegalStateException("a reservation change without its turn");
        }
        return state.get();
    }

    /**
     * The working copy for a service action of {@code nexus}. An SPC-2 reservation of another
     * nexus taken since the command was admitted conflicts now (SPC-5 §5.14.3).
     */
    private Draft draft(Turnstile.Turn turn, ItNexus nexus) throws ReservationConflictException {
        Published s = current(turn);
        if (s.spc2Holder() != null && !s.spc2Holder().equals(nexus)) {
            throw new ReservationConflictException("reserved (SPC-2) by " + s.spc2Holder());
        }
        return new Draft(s.persistent());
    }

    /**
     * Saves the draft's state when APTPL is or was set, then publishes it and raises its unit
     * attentions. When the save fails nothing changes (state, attentions) and the command ends
     * with {@code failure}: INSUFFICIENT REGISTRATION RESOURCES for the service actions that make
     * registrations (SPC-5 §5.14.7), which could not be kept; INTERNAL TARGET FAILURE for the
     * others, whose failure is the target's, not the request's.
     */
    private void commit(Draft d, Sense failure) throws CheckConditionException {
        ReservationState next = d.state();
        if (next.aptpl() || d.before.aptpl()) {
            try {
                store.save(next);
            } catch (IOException e) {
                log.error("saving persistent reservations failed; nothing changed: {}", e.toString());
                undo(d.before);
                throw new CheckConditionException(failure);
            }
        }
        state.updateAndGet(p -> new Published(p.spc2Holder(), next));
        d.attentions.forEach(Runnable::run);
    }

    /** A save can fail after replacing the file (the directory fsync): puts the old state back, best effort. */
    private void undo(ReservationState before) {
        try {
            store.save(before);
        } catch (IOException e) {
            log.error("restoring the saved persistent reservations failed too; the saved state may be the "
                    + "refused change until the next successful save: {}", e.toString());
        }
    }

    /** A mutable copy of the persistent state for one service action, confined to its turn. */
    private final class Draft {
        final ReservationState before;
        long generation;
        boolean aptpl;
        final List<Registration> registrations;
        /** The registration holding the reservation (any one registrant for all registrants types), or null. */
        Registration holder;
        PrType type;
        /** Unit attentions to raise once the change is committed. */
        final List<Runnable> attentions = new ArrayList<>();

        Draft(ReservationState s) {
            before = s;
            generation = s.generation();
            aptpl = s.aptpl();
            registrations = new ArrayList<>(s.registrations());
            holder = s.holder() < 0 ? null : registrations.get(s.holder());
            type = s.type();
        }

        ReservationState state() {
            return new ReservationState(generation, aptpl, registrations,
                    holder == null ? -1 : registrations.indexOf(holder), type);
        }

        Registration find(ItNexus nexus) {
            return ReservationState.find(registrations, nexus);
        }

        boolean holds(ItNexus nexus) {
            if (type == null) {
                return false;
            }
            return type.allRegistrants() ? find(nexus) != null : holder.covers(nexus);
        }

        /** The registration of {@code nexus} with reservation key {@code key}; a conflict otherwise (SPC-5 §6.16.2). */
        Registration registered(ItNexus nexus, long key) throws ReservationConflictException {
            Registration r = find(nexus);
            if (r == null || r.key() != key) {
                throw new ReservationConflictException(r == null ? "not registered" : "reservation key does not match");
            }
            return r;
        }

        void replace(Registration old, Registration now) {
            registrations.set(registrations.indexOf(old), now);
            if (holder == old) {
                holder = now;
            }
        }

        /** Removes a registration; a holder's removal releases the reservation (SPC-5 §5.14.11.2.3). */
        void unregister(Registration r) {
            registrations.remove(r);
            if (holder != r) {
                return;
            }
            if (type.allRegistrants() && !registrations.isEmpty()) {
                holder = registrations.get(0);
                return;
            }
            PrType released = type;
            holder = null;
            type = null;
            if (released.registrantsOnly()) {
                raiseForRegistrants(Sense.RESERVATIONS_RELEASED, x -> true);
            }
        }

        /** Removes the matching registrations, telling their nexuses REGISTRATIONS PREEMPTED; returns them. */
        List<Registration> removeRegistrations(Predicate<Registration> which) {
            List<Registration> removed = new ArrayList<>();
            for (Registration r : registrations) {
                if (which.test(r)) {
                    removed.add(r);
                }
            }
            registrations.removeAll(removed);
            for (Registration r : removed) {
                raise(Sense.REGISTRATIONS_PREEMPTED, r);
                if (holder == r) {
                    holder = null;
                    type = null;
                }
            }
            return removed;
        }

        /** Raises {@code sense}, at commit, for the current registrants that match. */
        void raiseForRegistrants(Sense sense, Predicate<Registration> which) {
            for (Registration r : registrations) {
                if (which.test(r)) {
                    raise(sense, r);
                }
            }
        }

        private void raise(Sense sense, Registration r) {
            attentions.add(() -> Reservations.this.attentions.raiseWhere(sense, r::covers));
        }
    }
}
