package io.platter.lun.image;

/**
 * The key of the driver table: which driver makes and reads an image. Raw images come in two
 * drivers because provisioning decides how they are made (allocated up front or sparse) and how
 * discards are served (zeroed in place or punched out).
 */
public enum ImageType {
    /** Raw, fully allocated at creation; discards zero the range in place. */
    RAW_THICK("raw"),
    /** Raw, sparse; discards punch holes. */
    RAW_THIN("raw"),
    /** qcow2 version 3 (qcow2.txt), thin by nature, with internal snapshots and backing files. */
    QCOW2("qcow2");

    private final String formatName;

    ImageType(String formatName) {
        this.formatName = formatName;
    }

    /** The on-disk format's name as qcow2 headers and qemu-img spell it ({@code raw}, {@code qcow2}). */
    public String formatName() {
        return formatName;
    }
}
