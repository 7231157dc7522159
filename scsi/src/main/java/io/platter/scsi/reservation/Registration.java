package io.platter.scsi.reservation;

import io.platter.scsi.ItNexus;

/**
 * One registration (SPC-5 §5.14.7): the I_T nexus it was made through, its reservation key, and
 * whether it was made with ALL_TG_PT, in which case it covers the initiator port through every
 * target port.
 */
public record Registration(ItNexus nexus, long key, boolean allTargetPorts) {

    /** Whether commands through {@code n} are covered by this registration. */
    public boolean covers(ItNexus n) {
        return allTargetPorts ? nexus.initiatorPort().equals(n.initiatorPort()) : nexus.equals(n);
    }

    Registration withKey(long newKey) {
        return new Registration(nexus, newKey, allTargetPorts);
    }
}
