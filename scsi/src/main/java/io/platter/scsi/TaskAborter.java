package io.platter.scsi;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The transport's part of aborting tasks that the SCSI core decides to abort (SAM-5 §5.6): for
 * PREEMPT AND ABORT (SPC-5 §5.14.11.5) the tasks of the preempted I_T nexuses. Aborted tasks
 * never send status (TAS=0). Set on a {@link ScsiTarget} by the transport.
 */
@FunctionalInterface
public interface TaskAborter {

    /** Aborts nothing: a target without a transport (unit tests). */
    TaskAborter NONE = (lun, nexuses) -> CompletableFuture.completedFuture(Set.of());

    /**
     * Aborts the tasks addressed to {@code lun} through the I_T nexuses that match. The future
     * completes, with the nexuses that lost at least one task, once none of those tasks can send
     * status any more. Called from any thread; must not call back into the reservation state.
     */
    CompletableFuture<Set<ItNexus>> abortTasks(int lun, Predicate<ItNexus> nexuses);
}
