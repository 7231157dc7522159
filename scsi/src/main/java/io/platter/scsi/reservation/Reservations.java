package io.platter.scsi.reservation;

import io.platter.scsi.ItNexus;
import io.platter.scsi.attention.UnitAttentions;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.FieldPointer;
import io.platter.scsi.sense.Sense;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reservation state of one logical unit: the SPC-2 reservation (SPC-2 §5.5.1) and the
 * persistent reservation with its registrations (SPC-5 §5.14), the conflict check every command
 * goes through, and the persistent reservation service actions of SPC-5 §5.14.7-11. Unit
 * attentions that these raise go to {@link UnitAttentions}. With APTPL the state is saved
 * through the {@link ReservationStore} before the service action completes; a failed save
 * leaves the state as it was before the service action.
 *
 * <p>Thread-safe: every method holds the monitor of this object. Service actions that may save
 * (the persistent reserve out ones) do blocking file I/O and run on the I/O executor.
 */
public final class Reservations {

    private static final Logger log = LoggerFactory.getLogger(Reservations.class);
    /** Byte offset of the SERVICE ACTION RESERVATION KEY in the PERSISTENT RESERVE OUT parameter list. */
    private static final int SERVICE_ACTION_KEY_OFFSET = 8;

    private final UnitAttentions attentions;
    private final ReservationStore store;
    private ItNexus spc2Holder;
    private long generation;
    private boolean aptpl;
    private final List<Registration> registrations = new ArrayList<>();
    /** The registration holding the reservation (any one registrant for all registrants types), or null. */
    private Registration holder;
    private PrType type;

    /** Loads the saved state from {@code store}. */
    public Reservations(UnitAttentions attentions, ReservationStore store) throws IOException {
        this.attentions = attentions;
        this.store = store;
        apply(store.load());
    }

    /** Throws when a command of the given access column from {@code nexus} conflicts with a reservation. */
    public synchronized void check(ItNexus nexus, ReservationAccess access) throws ReservationConflictException {
        if (spc2Holder != null && !spc2Holder.equals(nexus)) {
            if (access.spc2Conflict()) {
                throw new ReservationConflictException("reserved (SPC-2) by " + spc2Holder);
            }
            return;
        }
        if (type == null || isHolder(nexus) || type.registrantsOnly() && find(nexus) != null) {
            return;
        }
        if (access.conflicts(type)) {
            throw new ReservationConflictException("persistent reservation " + type);
        }
    }

    // ---- SPC-2 RESERVE / RELEASE

    /** RESERVE(6)/(10) of the whole unit (SPC-2 §7.21; SPC-5 §5.14.3: conflicts with persistent reservations). */
    public synchronized void reserve(ItNexus nexus) throws ReservationConflictException {
        if (spc2Holder != null && !spc2Holder.equals(nexus)) {
            throw new ReservationConflictException("reserved by " + spc2Holder);
        }
        if (type != null || !registrations.isEmpty()) {
            throw new ReservationConflictException("persistent reservation or registrations exist");
        }
        spc2Holder = nexus;
    }

    /** RELEASE(6)/(10): releases the reservation if {@code nexus} holds it, else does nothing (SPC-2 §7.17). */
    public synchronized void release(ItNexus nexus) {
        if (nexus.equals(spc2Holder)) {
            spc2Holder = null;
        }
    }

    /** A logical unit or target reset releases the SPC-2 reservation; persistent reservations stay (SPC-5 §5.14.1). */
    public synchronized void reset() {
        spc2Holder = null;
    }

    /** I_T nexus loss releases an SPC-2 reservation held through that nexus (SPC-2 §5.5.1). */
    public synchronized void nexusLost(ItNexus nexus) {
        release(nexus);
    }

    // ---- PERSISTENT RESERVE IN

    /** The persistent reservation state, for PERSISTENT RESERVE IN. */
    public synchronized ReservationState snapshot() {
        return new ReservationState(generation, aptpl, registrations,
                holder == null ? -1 : registrations.indexOf(holder), type);
    }

    // ---- PERSISTENT RESERVE OUT (SPC-5 §6.16.2)

    /**
     * REGISTER and REGISTER AND IGNORE EXISTING KEY (SPC-5 §5.14.7): registers, changes the key of
     * or (service action key 0) removes the registration of {@code nexus}.
     */
    public synchronized void register(ItNexus nexus, long key, long serviceActionKey, boolean ignoreExisting,
                                      boolean allTargetPorts, boolean newAptpl)
            throws ReservationConflictException, CheckConditionException {
        Registration r = find(nexus);
        if (!ignoreExisting && key != (r == null ? 0 : r.key())) {
            throw new ReservationConflictException("reservation key does not match");
        }
        if (r == null && serviceActionKey == 0) {
            return;   // unregistering an unregistered nexus: nothing happens, no generation change
        }
        ReservationState before = snapshot();
        if (r == null) {
            registrations.add(new Registration(nexus, serviceActionKey, allTargetPorts));
        } else if (serviceActionKey == 0) {
            unregister(r);
        } else {
            replace(r, r.withKey(serviceActionKey));
        }
        aptpl = newAptpl;
        generation++;
        commit(before);
    }

    /** RESERVE (SPC-5 §5.14.9). */
    public synchronized void reserve(ItNexus nexus, long key, PrType newType)
            throws ReservationConflictException, CheckConditionException {
        Registration r = registered(nexus, key);
        if (type != null) {
            if (isHolder(nexus) && type == newType) {
                return;
            }
            throw new ReservationConflictException("already reserved");
        }
        ReservationState before = snapshot();
        holder = r;
        type = newType;
        // RESERVE changes neither registrations nor generation; with APTPL the holder is saved.
        commit(before);
    }

    /** RELEASE (SPC-5 §5.14.11.2). */
    public synchronized void release(ItNexus nexus, long key, PrType releaseType)
            throws ReservationConflictException, CheckConditionException {
        registered(nexus, key);
        if (type == null || !isHolder(nexus)) {
            return;
        }
        if (type != releaseType) {
            throw new CheckConditionException(Sense.INVALID_RELEASE_OF_PERSISTENT_RESERVATION);
        }
        ReservationState before = snapshot();
        PrType released = type;
        holder = null;
        type = null;
        if (released.registrantsOnly()) {
            // Only the other registrants learn of it: the releaser knows (SPC-5 §5.14.11.2.2).
            raiseForRegistrants(Sense.RESERVATIONS_RELEASED, r -> !r.covers(nexus));
        }
        commit(before);
    }

    /** CLEAR (SPC-5 §5.14.11.6): removes every registration and the reservation. */
    public synchronized void clear(ItNexus nexus, long key) throws ReservationConflictException, CheckConditionException {
        registered(nexus, key);
        ReservationState before = snapshot();
        raiseForRegistrants(Sense.RESERVATIONS_PREEMPTED, r -> !r.covers(nexus));
        registrations.clear();
        holder = null;
        type = null;
        generation++;
        commit(before);
    }

    /**
     * PREEMPT and PREEMPT AND ABORT (SPC-5 §5.14.11.4-5): removes registrations and moves the
     * reservation. Returns the removed registrations, whose nexuses' tasks PREEMPT AND ABORT then
     * aborts (outside this monitor: the transport may wait for event loops that check conflicts).
     */
    public synchronized List<Registration> preempt(ItNexus nexus, long key, long serviceActionKey, PrType newType)
            throws ReservationConflictException, CheckConditionException {
        Registration issuer = registered(nexus, key);
        ReservationState before = snapshot();
        List<Registration> removed;
        boolean preemptsReservation = type != null
                && (type.allRegistrants() ? serviceActionKey == 0 : serviceActionKey == holder.key());
        if (!preemptsReservation) {
            if (serviceActionKey == 0) {
                throw new CheckConditionException(Sense.INVALID_FIELD_IN_PARAMETER_LIST,
                        FieldPointer.parameter(SERVICE_ACTION_KEY_OFFSET));
            }
            removed = removeRegistrations(r -> r.key() == serviceActionKey && r != issuer);
            if (removed.isEmpty()) {
                throw new ReservationConflictException("no registration with the service action key");
            }
        } else {
            PrType oldType = type;
            removed = type.allRegistrants() ? removeRegistrations(r -> r != issuer)
                    : removeRegistrations(r -> r.key() == serviceActionKey && r != issuer);
            holder = issuer;
            type = newType;
            if (oldType != newType) {
                raiseForRegistrants(Sense.RESERVATIONS_RELEASED, r -> r != issuer);
            }
        }
        generation++;
        commit(before);
        return removed;
    }

    /** REGISTER AND MOVE (SPC-5 §5.14.8): registers {@code destination} and moves the reservation there. */
    public synchronized void registerAndMove(ItNexus nexus, long key, long serviceActionKey, ItNexus destination,
                                             boolean unregister, boolean newAptpl)
            throws ReservationConflictException, CheckConditionException {
        Registration r = registered(nexus, key);
        if (type == null || !isHolder(nexus) || type.allRegistrants()) {
            throw new ReservationConflictException("not the holder of a movable reservation");
        }
        if (serviceActionKey == 0) {
            throw new CheckConditionException(Sense.INVALID_FIELD_IN_PARAMETER_LIST,
                    FieldPointer.parameter(SERVICE_ACTION_KEY_OFFSET));
        }
        if (r.covers(destination)) {
            throw new CheckConditionException(Sense.INVALID_FIELD_IN_PARAMETER_LIST, FieldPointer.parameter(24));
        }
        ReservationState before = snapshot();
        Registration d = find(destination);
        Registration moved;
        if (d == null) {
            moved = new Registration(destination, serviceActionKey, false);
            registrations.add(moved);
        } else {
            moved = d.withKey(serviceActionKey);
            replace(d, moved);
        }
        holder = moved;
        if (unregister) {
            registrations.remove(r);
        }
        aptpl = newAptpl;
        generation++;
        commit(before);
    }

    // ---- internals

    private boolean isHolder(ItNexus nexus) {
        if (type == null) {
            return false;
        }
        return type.allRegistrants() ? find(nexus) != null : holder.covers(nexus);
    }

    private Registration find(ItNexus nexus) {
        for (Registration r : registrations) {
            if (r.covers(nexus)) {
                return r;
            }
        }
        return null;
    }

    /** The registration of {@code nexus} with reservation key {@code key}; a conflict otherwise (SPC-5 §6.16.2). */
    private Registration registered(ItNexus nexus, long key) throws ReservationConflictException {
        Registration r = find(nexus);
        if (r == null || r.key() != key) {
            throw new ReservationConflictException(r == null ? "not registered" : "reservation key does not match");
        }
        return r;
    }

    private void replace(Registration old, Registration now) {
        registrations.set(registrations.indexOf(old), now);
        if (holder == old) {
            holder = now;
        }
    }

    /** Removes a registration; a holder's removal releases the reservation (SPC-5 §5.14.11.2.3). */
    private void unregister(Registration r) {
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
    private List<Registration> removeRegistrations(Predicate<Registration> which) {
        List<Registration> removed = new ArrayList<>();
        for (Registration r : registrations) {
            if (which.test(r)) {
                removed.add(r);
            }
        }
        registrations.removeAll(removed);
        for (Registration r : removed) {
            attentions.raiseWhere(Sense.REGISTRATIONS_PREEMPTED, r::covers);
            if (holder == r) {
                holder = null;
                type = null;
            }
        }
        return removed;
    }

    private void raiseForRegistrants(Sense sense, Predicate<Registration> which) {
        for (Registration r : registrations) {
            if (which.test(r)) {
                attentions.raiseWhere(sense, r::covers);
            }
        }
    }

    /** Saves the state when APTPL is or was set; on failure restores {@code before} and fails the command. */
    private void commit(ReservationState before) throws CheckConditionException {
        if (!aptpl && !before.aptpl()) {
            return;
        }
        try {
            store.save(snapshot());
        } catch (IOException e) {
            log.error("saving persistent reservations failed; state rolled back: {}", e.getMessage());
            apply(before);
            throw new CheckConditionException(Sense.INSUFFICIENT_REGISTRATION_RESOURCES);
        }
    }

    private void apply(ReservationState s) {
        generation = s.generation();
        aptpl = s.aptpl();
        registrations.clear();
        registrations.addAll(s.registrations());
        holder = s.holder() < 0 ? null : registrations.get(s.holder());
        type = s.type();
    }
}
