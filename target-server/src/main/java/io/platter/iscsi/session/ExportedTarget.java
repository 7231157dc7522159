package io.platter.iscsi.session;

import io.platter.config.ChapCredentials;
import io.platter.config.IscsiNames;
import io.platter.scsi.ScsiTarget;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A target as this portal group exports it: its iSCSI name, alias, TPGT and SCSI target device,
 * and who may log in to it.
 *
 * @param chap CHAP credentials a login must prove, or {@code null} for no authentication
 * @param acl  initiator names allowed to log in ({@link IscsiNames#normalize normalized}); empty allows everyone
 */
public record ExportedTarget(String name, String alias, int portalGroupTag, ScsiTarget scsi,
                             ChapCredentials chap, Set<String> acl) {

    public ExportedTarget {
        acl = acl.stream().map(IscsiNames::normalize).collect(Collectors.toUnmodifiableSet());
    }

    /** A target open to every initiator, without authentication. */
    public ExportedTarget(String name, String alias, int portalGroupTag, ScsiTarget scsi) {
        this(name, alias, portalGroupTag, scsi, null, Set.of());
    }

    /** A target with the given credentials (or none) and ACL (empty for everyone). */
    public ExportedTarget(String name, String alias, int portalGroupTag, ScsiTarget scsi,
                          ChapCredentials chap, List<String> acl) {
        this(name, alias, portalGroupTag, scsi, chap, Set.copyOf(acl));
    }

    /**
     * This target as exported through portal group {@code tag}: the same SCSI target device, seen
     * through another SCSI target port (SAM-5 §4.6.6: one port per portal group).
     */
    public ExportedTarget inGroup(int tag) {
        return tag == portalGroupTag ? this : new ExportedTarget(name, alias, tag, scsi, chap, acl);
    }

    /** Whether {@code initiatorName} may log in to (and discover) this target; names compare normalized (case-insensitively). */
    public boolean allows(String initiatorName) {
        return acl.isEmpty() || (initiatorName != null && acl.contains(IscsiNames.normalize(initiatorName)));
    }
}
