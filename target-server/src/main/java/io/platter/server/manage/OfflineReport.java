package io.platter.server.manage;

import io.platter.server.Daemon.MappedLun;
import java.util.List;

/** How the management API reports offline LUNs (their image cannot be opened): state words and reload's answer. */
final class OfflineReport {

    private OfflineReport() {
    }

    /** {@code online}, {@code offline}, or {@code unmapped} when {@code live} is null. */
    static String state(MappedLun live) {
        return live == null ? "unmapped" : live.offline() ? "offline" : "online";
    }

    /** The offline LUNs among {@code luns}. */
    static List<Views.OfflineLun> offline(List<MappedLun> luns) {
        return luns.stream().filter(MappedLun::offline)
                .map(m -> new Views.OfflineLun(m.iqn(), m.lun(), m.offlineReason())).toList();
    }

    /** Reload's answer: what the diff did, then the LUNs that came online and those still offline. */
    static Views.Done after(Views.Done diff, List<MappedLun> back, List<MappedLun> luns) {
        StringBuilder b = new StringBuilder(diff.message());
        for (MappedLun m : back) {
            b.append("; LUN ").append(m.lun()).append(" of ").append(m.iqn()).append(" is online again");
        }
        for (Views.OfflineLun o : offline(luns)) {
            b.append("; LUN ").append(o.lun()).append(" of ").append(o.target()).append(" is still offline: ")
                    .append(o.reason());
        }
        return new Views.Done(b.toString());
    }
}
