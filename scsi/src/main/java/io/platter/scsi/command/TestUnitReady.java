package io.platter.scsi.command;

/** TEST UNIT READY (SPC-5 §6.47): a mapped unit is always ready. */
final class TestUnitReady implements CommandHandler {

    @Override
    public Plan plan(Task task) {
        return Plan.GOOD;
    }
}
