package io.platter.scsi.mode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The changeable mode parameters of one logical unit: current values, and the saved values of
 * the saveable ones (WCE of the caching page), kept in a {@link ModeStore}. Current values are
 * volatile: MODE SELECT writes them on a transport thread while commands read them on others; no
 * two of them need to change together. Saving is serialised on {@code this}.
 */
public final class ModeState {

    /** Default values (PC=10b). */
    public static final ModeState DEFAULTS = new ModeState();

    static final String WCE_KEY = "caching.wce";
    private static final boolean DEFAULT_WCE = true;

    private final ModeStore store;
    private volatile boolean writeCacheEnabled;
    private volatile boolean savedWriteCacheEnabled;
    private volatile boolean descriptorSense;
    private volatile boolean softwareWriteProtect;

    /** Defaults, saved in memory only. */
    public ModeState() {
        this.store = ModeStore.inMemory();
        this.writeCacheEnabled = DEFAULT_WCE;
        this.savedWriteCacheEnabled = DEFAULT_WCE;
    }

    /**
     * Loads the saved values from {@code store} and makes them current (SPC-5 §7.5.1: after
     * power on the current values are the saved ones, or the defaults where nothing is saved).
     *
     * @throws UncheckedIOException when the store cannot be read
     */
    public ModeState(ModeStore store) {
        this.store = store;
        Map<String, String> saved;
        try {
            saved = store.load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load saved mode parameters", e);
        }
        String wce = saved.get(WCE_KEY);
        this.savedWriteCacheEnabled = wce == null ? DEFAULT_WCE : Boolean.parseBoolean(wce);
        this.writeCacheEnabled = savedWriteCacheEnabled;
    }

    /** WCE of the caching page (SBC-4 §6.5.5). */
    public boolean writeCacheEnabled() {
        return writeCacheEnabled;
    }

    public void writeCacheEnabled(boolean value) {
        writeCacheEnabled = value;
    }

    /** The saved WCE (MODE SENSE with PC=11b). */
    public boolean savedWriteCacheEnabled() {
        return savedWriteCacheEnabled;
    }

    /** D_SENSE of the control page (SPC-5 §7.5.8): descriptor format sense. */
    public boolean descriptorSense() {
        return descriptorSense;
    }

    public void descriptorSense(boolean value) {
        descriptorSense = value;
    }

    /** SWP of the control page (SPC-5 §7.5.8, SBC-4 §4.11): the medium is write protected. */
    public boolean softwareWriteProtect() {
        return softwareWriteProtect;
    }

    public void softwareWriteProtect(boolean value) {
        softwareWriteProtect = value;
    }

    /** Saves the current values of the saveable parameters (MODE SELECT with SP=1). Blocks on I/O. */
    public synchronized void saveCurrent() throws IOException {
        boolean wce = writeCacheEnabled;
        try {
            store.save(Map.of(WCE_KEY, Boolean.toString(wce)));
        } catch (IOException e) {
            // The save may have failed after replacing the file (its directory fsync): put the old values back.
            try {
                store.save(Map.of(WCE_KEY, Boolean.toString(savedWriteCacheEnabled)));
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        savedWriteCacheEnabled = wce;
    }
}
