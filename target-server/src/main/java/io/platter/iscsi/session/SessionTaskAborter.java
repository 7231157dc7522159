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
 * so, after which no aborted task sends status. Thread-safe.
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
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (Session s : sessions.all()) {
            if (s.discovery() || s.target().scsi() != target || !nexuses.test(s.nexus())) {
                continue;
            }
            CompletableFuture<Void> f = new CompletableFuture<>();
            done.add(f);
            s.loop().execute(() -> {
                int n = 0;
                for (Connection c : s.connections()) {
                    if (c.handler() != null) {
                        n += c.handler().abortTasks(t -> LunAddress.decode(t.lunField) == lun);
                    }
                }
                if (n > 0) {
                    lost.add(s.nexus());
                }
                f.complete(null);
            });
        }
        return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).thenApply(x -> Set.copyOf(lost));
    }
}
