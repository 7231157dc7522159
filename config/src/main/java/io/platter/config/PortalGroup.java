package io.platter.config;

import java.util.List;

/**
 * A target portal group (RFC 7143 §4.2.2, §13.9): the portals a session's connections may use,
 * named by its Target Portal Group Tag.
 *
 * @param tag     the TPGT, 1..65535 (0 is not used: some initiators read it as "no group")
 * @param portals where this group listens, at least one
 */
public record PortalGroup(int tag, List<Portal> portals) {

    /** The group {@code server.portals} stands for. */
    public static final int DEFAULT_TAG = 1;
    public static final int MAX_TAG = 65535;

    public PortalGroup {
        if (tag < 1 || tag > MAX_TAG) {
            throw new IllegalArgumentException("portal group tag must be 1-65535, got " + tag);
        }
        portals = List.copyOf(portals);
        if (portals.isEmpty()) {
            throw new IllegalArgumentException("portal group " + tag + " has no portal");
        }
    }
}
