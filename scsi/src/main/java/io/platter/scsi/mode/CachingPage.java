package io.platter.scsi.mode;

/** Caching mode page, 08h (SBC-4 §6.5.5): WCE (byte 2 bit 2) is the only changeable bit, and is saveable. */
final class CachingPage extends ModePage {

    private static final int WCE = 0x04;

    CachingPage() {
        super(0x08, 20);
    }

    @Override
    protected void values(byte[] page, ModeState state) {
        page[2] = (byte) (state.writeCacheEnabled() ? WCE : 0);
    }

    @Override
    protected void savedValues(byte[] page, ModeState state) {
        page[2] = (byte) (state.savedWriteCacheEnabled() ? WCE : 0);
    }

    @Override
    public boolean saveable() {
        return true;
    }

    @Override
    protected void changeable(byte[] page) {
        page[2] = WCE;
    }

    @Override
    public void apply(byte[] page, int at, ModeState state) {
        state.writeCacheEnabled((page[at + 2] & WCE) != 0);
    }
}
