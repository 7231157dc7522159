package io.platter.scsi.mode;

/** The PC field of MODE SENSE (SPC-5 §6.13.2, table 188), by wire value. */
public enum PageControl {
    CURRENT, CHANGEABLE, DEFAULT, SAVED;

    /** The value for the two-bit field (ordinal = wire value). */
    public static PageControl fromWire(int pc) {
        return values()[pc & 0b11];
    }
}
