package io.platter.scsi.sbc;

/**
 * The POWER CONDITION field of START STOP UNIT (SBC-4 §5.25, table 70) with the largest POWER
 * CONDITION MODIFIER each value allows. Values not listed are reserved (05h is obsolete).
 */
enum PowerCondition {
    START_VALID(0x0, 0),
    ACTIVE(0x1, 0),
    IDLE(0x2, 2),
    STANDBY(0x3, 1),
    LU_CONTROL(0x7, 0),
    FORCE_IDLE_0(0xA, 2),
    FORCE_STANDBY_0(0xB, 1);

    private static final PowerCondition[] BY_WIRE = new PowerCondition[16];

    static {
        for (PowerCondition p : values()) {
            if (BY_WIRE[p.wire] != null) {
                throw new ExceptionInInitializerError("duplicate power condition " + p);
            }
            BY_WIRE[p.wire] = p;
        }
    }

    private final int wire;
    private final int maxModifier;

    PowerCondition(int wire, int maxModifier) {
        this.wire = wire;
        this.maxModifier = maxModifier;
    }

    int wire() {
        return wire;
    }

    boolean allowsModifier(int modifier) {
        return modifier <= maxModifier;
    }

    /** The condition for a 4-bit field value, or null when reserved. */
    static PowerCondition fromWire(int value) {
        return BY_WIRE[value & 0xF];
    }
}
