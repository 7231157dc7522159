package io.platter.scsi.mode;

/**
 * One mode page in page_0 format (SPC-5 §7.5.7): a 2-byte header (PS, SPF, PAGE CODE; PAGE
 * LENGTH) and its parameters. Subclasses fill in values and say which bits are changeable and
 * how a MODE SELECT applies them.
 */
public abstract class ModePage {

    /** PS, byte 0 bit 7: the page is saveable. */
    private static final int PS = 0x80;

    private final int pageCode;
    private final int length;

    /** @param length the whole page length in bytes, header included */
    protected ModePage(int pageCode, int length) {
        this.pageCode = pageCode;
        this.length = length;
    }

    public final int pageCode() {
        return pageCode;
    }

    /** Whole page length, header included. */
    public final int length() {
        return length;
    }

    /**
     * The page as MODE SENSE returns it for a page control value, with PS set when the page is
     * saveable. The saved values of a page that is not saveable are its defaults, which is what
     * the unit comes up with.
     */
    public final byte[] encode(ModeState state, PageControl pc) {
        byte[] page = new byte[length];
        page[0] = (byte) (pageCode | (saveable() ? PS : 0));
        page[1] = (byte) (length - 2);
        switch (pc) {
            case CURRENT -> values(page, state);
            case SAVED -> savedValues(page, saveable() ? state : ModeState.DEFAULTS);
            case DEFAULT -> values(page, ModeState.DEFAULTS);
            case CHANGEABLE -> changeable(page);
            default -> throw new AssertionError(pc);
        }
        return page;
    }

    /** Writes the parameter values (bytes 2 on) of {@code state}. */
    protected abstract void values(byte[] page, ModeState state);

    /** Writes the saved parameter values of {@code state}; saveable pages override this. */
    protected void savedValues(byte[] page, ModeState state) {
        values(page, state);
    }

    /** Whether MODE SELECT with SP=1 saves this page (PS in MODE SENSE). */
    public boolean saveable() {
        return false;
    }

    /** Sets the changeable bits (bytes 2 on) to one. */
    protected void changeable(byte[] page) {
    }

    /** Applies a page from MODE SELECT whose unchangeable bits were already checked. */
    public void apply(byte[] page, int at, ModeState state) {
    }
}
