package io.platter.scsi;

/** SAM-5 §8.6 task attributes, with their iSCSI ATTR field values (RFC 7143 §11.3.1). */
public enum TaskAttribute {
    UNTAGGED(0), SIMPLE(1), ORDERED(2), HEAD_OF_QUEUE(3), ACA(4);

    private final int wire;

    TaskAttribute(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }

    /** The attribute for an ATTR field value; reserved values (5-7) are treated as SIMPLE. */
    public static TaskAttribute fromWire(int value) {
        return switch (value) {
            case 0 -> UNTAGGED;
            case 2 -> ORDERED;
            case 3 -> HEAD_OF_QUEUE;
            case 4 -> ACA;
            default -> SIMPLE;
        };
    }
}
