package io.platter.scsi.mode;

/**
 * One mode page in page_0 format (SPC-5 §7.5.7): a 2-byte header (PS, SPF, PAGE CODE; PAGE
 * LENGTH) and its parameters. Subclasses fill in values and say which bits are changeable and
 * how a MODE SELECT applies them.
 */
public abstract class ModePage {

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

    /** The page as MODE SENSE returns it for a page control value. PS is 0: nothing is saveable. */
    public final byte[] encode(ModeState state, PageControl pc) {
        byte[] page = new byte[length];
        page[0] = (byte) pageCode;
        page[1] = (byte) (length - 2);
        switch (pc) {
            case CURRENT, SAVED -> values(page, state);
            case DEFAULT -> values(page, ModeState.DEFAULTS);
            case CHANGEABLE -> changeable(page);
            default -> throw new AssertionError(pc);
        }
        return page;
    }

    /** Writes the parameter values (bytes 2 on) of {@code state}. */
    protected abstract void values(byte[] page, ModeState state);

    /** Sets the changeable bits (bytes 2 on) to one. */
    protected void changeable(byte[] page) {
    }

    /** Applies a page from MODE SELECT whose unchangeable bits were already checked. */
    public void apply(byte[] page, int at, ModeState state) {
    }
}
