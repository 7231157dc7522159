package io.platter.scsi.reservation;

/** Persistent reservation types (SPC-5 §6.16.3.4, table 212), with their REPORT CAPABILITIES mask bit (§6.15.4). */
public enum PrType {
    WRITE_EXCLUSIVE(0x1, false, false, false, 0x0200),
    EXCLUSIVE_ACCESS(0x3, true, false, false, 0x0800),
    WRITE_EXCLUSIVE_REGISTRANTS_ONLY(0x5, false, true, false, 0x2000),
    EXCLUSIVE_ACCESS_REGISTRANTS_ONLY(0x6, true, true, false, 0x4000),
    WRITE_EXCLUSIVE_ALL_REGISTRANTS(0x7, false, true, true, 0x8000),
    EXCLUSIVE_ACCESS_ALL_REGISTRANTS(0x8, true, true, true, 0x0001);

    private static final PrType[] BY_WIRE = new PrType[16];

    static {
        for (PrType t : values()) {
            if (BY_WIRE[t.wire] != null) {
                throw new ExceptionInInitializerError("duplicate type " + t);
            }
            BY_WIRE[t.wire] = t;
        }
    }

    private final int wire;
    private final boolean exclusiveAccess;
    private final boolean registrantsOnly;
    private final boolean allRegistrants;
    private final int capabilityMask;

    PrType(int wire, boolean exclusiveAccess, boolean registrantsOnly, boolean allRegistrants, int capabilityMask) {
        this.wire = wire;
        this.exclusiveAccess = exclusiveAccess;
        this.registrantsOnly = registrantsOnly;
        this.allRegistrants = allRegistrants;
        this.capabilityMask = capabilityMask;
    }

    /** The type for a TYPE field value, or null for a reserved value. */
    public static PrType of(int wire) {
        return wire >= 0 && wire < BY_WIRE.length ? BY_WIRE[wire] : null;
    }

    public int wire() {
        return wire;
    }

    /** Whether reads of non-holders conflict too (the Exclusive Access family). */
    public boolean exclusiveAccess() {
        return exclusiveAccess;
    }

    /** Whether every registrant has access (registrants only and all registrants types). */
    public boolean registrantsOnly() {
        return registrantsOnly;
    }

    /** Whether every registrant is a reservation holder (SPC-5 §5.14.10). */
    public boolean allRegistrants() {
        return allRegistrants;
    }

    /** The bit of the PERSISTENT RESERVATION TYPE MASK (bytes 4-5 of REPORT CAPABILITIES data). */
    public int capabilityMask() {
        return capabilityMask;
    }
}
