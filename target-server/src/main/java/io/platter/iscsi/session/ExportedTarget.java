package io.platter.iscsi.session;

import io.platter.scsi.ScsiTarget;

/** A target as this portal group exports it: its iSCSI name, alias, TPGT and SCSI target device. */
public record ExportedTarget(String name, String alias, int portalGroupTag, ScsiTarget scsi) {
}
