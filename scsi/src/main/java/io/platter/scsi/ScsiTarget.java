package io.platter.scsi;

import io.netty.buffer.ByteBufAllocator;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.sense.SenseData;
import io.platter.scsi.task.TargetUnits;
import io.platter.scsi.task.Task;
import io.platter.scsi.task.UnitContext;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;

/**
 * A SCSI target device (SAM-5 §4.6): its LUN map and the entry point for commands. LUNs may be
 * mapped and unmapped while commands run (the map is concurrent); a command addresses the unit
 * mapped when it arrives.
 */
public final class ScsiTarget {

    private final String name;
    private final ByteBufAllocator alloc;
    private final ConcurrentSkipListMap<Integer, LogicalUnit> units = new ConcurrentSkipListMap<>();
    private volatile TaskAborter aborter = TaskAborter.NONE;
    private final TargetUnits view = new TargetUnits() {
        @Override
        public List<Integer> luns() {
            return ScsiTarget.this.luns();
        }

        @Override
        public UnitContext unitByNaa(long naa) {
            LogicalUnit u = ScsiTarget.this.unitByNaa(naa);
            return u == null ? null : u.context();
        }

        @Override
        public TaskAborter aborter() {
            return aborter;
        }
    };

    /** @param alloc allocates Data-In buffers for commands that are not served by a unit (REPORT LUNS, ...) */
    public ScsiTarget(String name, ByteBufAllocator alloc) {
        this.name = Objects.requireNonNull(name, "name");
        this.alloc = Objects.requireNonNull(alloc, "alloc");
    }

    public String name() {
        return name;
    }

    /** Maps {@code unit} at {@code lun} (0 to {@link LunAddress#MAX_LUN}); the LUN must be free. */
    public void addLun(int lun, LogicalUnit unit) {
        if (lun < 0 || lun > LunAddress.MAX_LUN) {
            throw new IllegalArgumentException("LUN out of range: " + lun);
        }
        if (units.putIfAbsent(lun, Objects.requireNonNull(unit, "unit")) != null) {
            throw new IllegalStateException("LUN " + lun + " already mapped in " + name);
        }
        unit.mapped(this, lun);
        lunsChanged();
    }

    /** Sets the transport's hook that aborts tasks the core decides to abort (PREEMPT AND ABORT). */
    public void taskAborter(TaskAborter taskAborter) {
        this.aborter = Objects.requireNonNull(taskAborter, "taskAborter");
    }

    /** Unmaps a LUN; returns its unit (not closed) or null when nothing was mapped there. */
    public LogicalUnit removeLun(int lun) {
        LogicalUnit removed = units.remove(lun);
        if (removed != null) {
            removed.unmapped(this, lun);
            lunsChanged();
        }
        return removed;
    }

    /**
     * The task management hook for resets (SAM-5 §7.7, §7.10): releases SPC-2 reservations and
     * raises POWER ON, RESET for every I_T nexus of the unit at {@code lun} (LOGICAL_UNIT) or of
     * every unit (TARGET). The transport aborts the tasks itself. An unmapped LUN is ignored.
     *
     * @param nexus the nexus the task management request came through
     */
    public void reset(ItNexus nexus, ResetScope scope, int lun) {
        if (scope == ResetScope.TARGET) {
            units.values().forEach(LogicalUnit::reset);
            return;
        }
        LogicalUnit unit = units.get(lun);
        if (unit != null) {
            unit.reset();
        }
    }

    /**
     * Aborts every task addressed to {@code lun} through any I_T nexus, as the device server does
     * before it replaces a unit's medium content (a forced snapshot revert). The future completes
     * once none of those tasks can send status; aborted tasks send none (TAS=0).
     */
    public CompletableFuture<Set<ItNexus>> abortTasks(int lun) {
        return aborter.abortTasks(lun, nexus -> true);
    }

    /** The transport lost an I_T nexus (session closed or reinstated, SAM-5 §6.3.4). */
    public void nexusLost(ItNexus nexus) {
        units.values().forEach(u -> u.nexusLost(nexus));
    }

    /** SPC-5 §6.33: a change of the LUN inventory is REPORTED LUNS DATA HAS CHANGED on every unit. */
    private void lunsChanged() {
        units.values().forEach(u -> u.unitAttentions().raiseAll(Sense.REPORTED_LUNS_DATA_HAS_CHANGED));
    }

    /** The mapped LUNs, ascending. */
    public List<Integer> luns() {
        return List.copyOf(units.keySet());
    }

    /** The unit at a LUN, or null. */
    public LogicalUnit unit(int lun) {
        return units.get(lun);
    }

    /** The mapped unit whose NAA designator (VPD page 83h) is {@code naa}, or null. */
    public LogicalUnit unitByNaa(long naa) {
        for (LogicalUnit u : units.values()) {
            if (u.identity().naa() == naa) {
                return u;
            }
        }
        return null;
    }

    /**
     * The response for a command the transport ends without executing it (a transfer longer than
     * it accepts, a failed data phase): CHECK CONDITION with {@code sense} in the addressed unit's
     * current sense format (D_SENSE of the control mode page, SPC-5 §7.5.8), fixed for an unmapped
     * LUN. Sense bytes come from the core only, never from the transport.
     */
    public ScsiResponse checkCondition(int lun, Sense sense) {
        LogicalUnit unit = units.get(lun);
        boolean descriptor = unit != null && unit.context().modeState().descriptorSense();
        return new ScsiResponse(ScsiStatus.CHECK_CONDITION, null, SenseData.build(sense, null, null, descriptor));
    }

    /**
     * Executes one command. completion is called exactly once, possibly synchronously on the
     * calling thread (commands that need no block I/O), or later from an I/O executor thread.
     * Ownership of cmd.dataOut() passes to this call (released exactly once, also on errors);
     * ownership of the response's dataIn passes to the completion.
     */
    public void execute(ScsiCommand cmd, Consumer<ScsiResponse> completion) {
        LogicalUnit unit = units.get(cmd.lun());
        ByteBufAllocator a = unit == null ? alloc : unit.context().alloc();
        new Task(cmd, unit == null ? null : unit.context(), view, a, completion).start();
    }
}
