package io.platter.scsi.mode;

/** Read-Write Error Recovery mode page, 01h (SBC-4 §6.5.9): all zero, nothing changeable. */
final class ReadWriteErrorRecoveryPage extends ModePage {

    ReadWriteErrorRecoveryPage() {
        super(0x01, 12);
    }

    @Override
    protected void values(byte[] page, ModeState state) {
    }
}
