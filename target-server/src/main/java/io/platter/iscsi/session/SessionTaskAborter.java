package io.platter.iscsi.session;

import io.platter.scsi.ItNexus;
import io.platter.scsi.LunAddress;
import io.platter.scsi.ScsiTarget;
import io.platter.scsi.TaskAborter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The iSCSI side of aborts the SCSI core decides on (PREEMPT AND ABORT, SPC-5 §5.14.11.5): the
 * matching sessions of one target abort their tasks on the LUN on their own event loops, as
 * {@link TaskManagement} does for CLEAR TASK SET; the future completes when every loop has done
 * so and every aborted task that was executing has completed, after which no aborted task sends
 * status or touches the medium. Thread-safe.
 */
public final class SessionTaskAborter implements TaskAborter {
    private final SessionRegistry sessions;
    private final ScsiTarget target;

    public SessionTaskAborter(SessionRegistry sessions, ScsiTarget target) {
        this.sessions = sessions;
        this.target = target;
    }

    @Override
    public CompletableFuture<Set<ItNexus>> abortTasks(int lun, Predicate<ItNexus> nexuses) {
        Set<ItNexus> lost = ConcurrentHashMap.newKeySet();
        List<Session> reached = new ArrayList<>();
        for (Session s : sessions.all()) {
            if (!s.discovery() && s.target().scsi() == target && nexuses.test(s.nexus())) {
                reached.add(s);
            }
        }
        CompletableFuture<Set<ItNexus>> result = new CompletableFuture<>();
        if (reached.isEmpty()) {
            result.complete(Set.of());
            return result;
        }
        // Completes once every aborted task that was executing has completed (SAM-5 §5.6).
        AbortBarrier barrier = new AbortBarrier(reached.size(), () -> result.complete(Set.copyOf(lost)));
        for (Session s : reached) {
            s.loop().execute(() -> {
                int n = 0;
                for (Connection c : s.connections()) {
                    if (c.handler() != null) {
                        n += c.handler().abortTasks(t -> LunAddress.decode(t.lunField) == lun, barrier);
                    }
                }
                if (n > 0) {
                    lost.add(s.nexus());
                }
                barrier.scanned();
            });
        }
        return result;
    }
}
