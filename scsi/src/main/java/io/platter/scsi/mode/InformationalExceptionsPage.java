package io.platter.scsi.mode;

/**
 * Informational Exceptions Control mode page, 1Ch (SPC-5 §7.5.10): DEXCPT set, since the
 * target raises no informational exceptions; nothing changeable.
 */
final class InformationalExceptionsPage extends ModePage {

    private static final int DEXCPT = 0x08;

    InformationalExceptionsPage() {
        super(0x1C, 12);
    }

    @Override
    protected void values(byte[] page, ModeState state) {
        page[2] = DEXCPT;
    }
}
