package io.platter.scsi;

/**
 * The target port numbering the core reports (SPC-5 §5.16 ALUA): every target has one target
 * port, relative target port 1, in one target port group, 1, which is active/optimized.
 */
public final class TargetPort {

    /** RELATIVE TARGET PORT IDENTIFIER (SPC-5 §7.7.6.7). */
    public static final int RELATIVE_TARGET_PORT = 1;
    /** TARGET PORT GROUP (SPC-5 §7.7.6.8). */
    public static final int TARGET_PORT_GROUP = 1;

    private TargetPort() {
    }
}
