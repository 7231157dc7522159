package io.platter.scsi.sense;

/** Sense keys (SPC-5 §4.4.5, table 49). */
public enum SenseKey {
    NO_SENSE(0x0), RECOVERED_ERROR(0x1), NOT_READY(0x2), MEDIUM_ERROR(0x3), HARDWARE_ERROR(0x4),
    ILLEGAL_REQUEST(0x5), UNIT_ATTENTION(0x6), DATA_PROTECT(0x7), COPY_ABORTED(0xA), ABORTED_COMMAND(0xB),
    MISCOMPARE(0xE);

    private final int wire;

    SenseKey(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }
}
