package io.platter.scsi.mode;

/**
 * Control mode page, 0Ah (SPC-5 §7.5.8). D_SENSE (byte 2 bit 2) and SWP (byte 4 bit 3, software
 * write protect, SBC-4 §4.11) are changeable, not saveable. GLTSD is set (no
 * log parameters are saved) and the queue algorithm modifier is 1 (unrestricted reordering):
 * SIMPLE tasks do run concurrently.
 */
final class ControlPage extends ModePage {

    private static final int D_SENSE = 0x04;
    private static final int GLTSD = 0x02;
    private static final int QUEUE_ALGORITHM_UNRESTRICTED = 0x10;
    private static final int SWP = 0x08;

    ControlPage() {
        super(0x0A, 12);
    }

    @Override
    protected void values(byte[] page, ModeState state) {
        page[2] = (byte) (GLTSD | (state.descriptorSense() ? D_SENSE : 0));
        page[3] = QUEUE_ALGORITHM_UNRESTRICTED;
        page[4] = (byte) (state.softwareWriteProtect() ? SWP : 0);
    }

    @Override
    protected void changeable(byte[] page) {
        page[2] = D_SENSE;
        page[4] = SWP;
    }

    @Override
    public void apply(byte[] page, int at, ModeState state) {
        state.descriptorSense((page[at + 2] & D_SENSE) != 0);
        state.softwareWriteProtect((page[at + 4] & SWP) != 0);
    }
}
