package io.platter.scsi.mode;

/**
 * The changeable mode parameters of one logical unit. Fields are volatile: MODE SELECT writes
 * them on a transport thread while commands read them on others; no two fields need to change
 * together.
 */
public final class ModeState {

    /** Default values (PC=10b); saved values are the defaults too, as nothing is saved. */
    public static final ModeState DEFAULTS = new ModeState();

    private volatile boolean writeCacheEnabled = true;
    private volatile boolean descriptorSense;

    /** WCE of the caching page (SBC-4 §6.5.5). */
    public boolean writeCacheEnabled() {
        return writeCacheEnabled;
    }

    public void writeCacheEnabled(boolean value) {
        writeCacheEnabled = value;
    }

    /** D_SENSE of the control page (SPC-5 §7.5.8): descriptor format sense. */
    public boolean descriptorSense() {
        return descriptorSense;
    }

    public void descriptorSense(boolean value) {
        descriptorSense = value;
    }
}
