package io.platter.scsi;

import static io.platter.scsi.ExtendedCopyTest.rcr;
import static io.platter.scsi.ExtendedCopyTest.xcopy;
import static io.platter.scsi.Fixture.cdb16;
import static io.platter.scsi.Fixture.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.platter.lun.BlockDeviceException;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * RECEIVE COPY STATUS(LID1) and RECEIVE COPY FAILURE DETAILS(LID1) (SPC-4 §6.25, §6.23) over the
 * life of a copy: in progress, completed, discarded; and the LIST ID USAGE values (§6.4.3.2).
 */
class CopyResultsTest {

    private static byte[] list(Fixture f, int listId, int usage, int blocks) {
        long self = f.target.unit(0).identity().naa();
        return new ExtendedCopyTest.ListBuilder().list(listId, usage).target(self).segment(0, 0, blocks, 0, 4096).build();
    }

    private static Fixture.Result copy(Fixture f, byte[] list) {
        return f.run(xcopy(list.length), list);
    }

    private static String status(Fixture f, int listId) {
        return ByteBufUtil.hexDump(f.run(rcr(0x00, listId)).assertGood().data());
    }

    @Test
    void aRunningCopyIsInProgressThenCompletedOnceThenForgotten() throws Exception {
        MemoryDevice mem = new MemoryDevice(8192 * 512, false);
        System.arraycopy(pattern(4096 * 512, 1), 0, mem.bytes(), 0, 4096 * 512);
        GatedDevice gated = new GatedDevice(mem, GatedDevice.Call.READ);
        try (Fixture f = Fixture.threaded(mem, gated)) {
            byte[] list = list(f, 9, 0b00, 4096);                     // two chunks of 1 MiB
            CompletableFuture<ScsiResponse> running = f.submit(xcopy(list.length), list, TaskAttribute.SIMPLE);
            gated.awaitPaused();
            // 00h operation in progress; SEGMENTS PROCESSED counts the segment being processed.
            assertThat(status(f, 9)).isEqualTo("00000008" + "00" + "0001" + "00" + "00000000");
            assertThat(status(f, 9)).as("in progress is not discarded").startsWith("0000000800");
            f.run(rcr(0x04, 9)).assertCheck(0x5, 0x24, 0x00).assertCdbPointer(2, -1);   // still processed
            gated.open();
            Fixture.await(running).assertGood();
            assertThat(status(f, 9)).isEqualTo("00000008" + "01" + "0001" + "00" + "00200000");
            f.run(rcr(0x00, 9)).assertCheck(0x5, 0x24, 0x00);
        }
    }

    @Test
    void aLogicalUnitResetAndTheLossOfTheNexusDiscardWhatIsHeld() {
        try (Fixture f = Fixture.direct(8192)) {
            copy(f, list(f, 1, 0b00, 8)).assertGood();
            f.target.reset(Fixture.NEXUS, ResetScope.LOGICAL_UNIT, 0);
            Fixture.clearUnitAttentions(f.target, 0);
            f.run(rcr(0x00, 1)).assertCheck(0x5, 0x24, 0x00);
            copy(f, list(f, 2, 0b00, 8)).assertGood();
            f.target.nexusLost(Fixture.NEXUS);
            Fixture.clearUnitAttentions(f.target, 0);   // a new nexus starts with POWER ON, RESET
            f.run(rcr(0x00, 2)).assertCheck(0x5, 0x24, 0x00);
        }
    }

    @Test
    void listIdUsage10bHoldsOnlyFailureDetailsAnd01bIsReservedAnd11bNeedsListIdentifierZero() {
        try (Fixture f = Fixture.direct(8192)) {
            f.device.failNext = new BlockDeviceException.NoSpace("full", new IOException("ENOSPC"));
            copy(f, list(f, 3, 0b10, 8)).assertCheck(0x7, 0x27, 0x07);
            f.run(rcr(0x00, 3)).assertCheck(0x5, 0x24, 0x00);
            assertThat(ByteBufUtil.hexDump(f.run(rcr(0x04, 3)).assertGood().data())).startsWith("0000004a");
            copy(f, list(f, 4, 0b01, 8)).assertCheck(0x5, 0x26, 0x00).assertParameterPointer(1, 4);
            copy(f, list(f, 5, 0b11, 8)).assertCheck(0x5, 0x26, 0x00).assertParameterPointer(0, 7);
            copy(f, list(f, 0, 0b11, 8)).assertGood();
            f.run(rcr(0x00, 0)).assertCheck(0x5, 0x24, 0x00);
        }
    }

    @Test
    void failureDetailsAskedForWithAllocationLengthZeroAreDiscarded() {
        try (Fixture f = Fixture.direct(8192)) {
            f.device.failNext = new BlockDeviceException.NoSpace("full", new IOException("ENOSPC"));
            copy(f, list(f, 6, 0b00, 8)).assertCheck(0x7, 0x27, 0x07);
            f.run(cdb16(0x84, 0x04, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)).assertGood();
            assertThat(ByteBufUtil.hexDump(f.run(rcr(0x04, 6)).assertGood().data())).isEqualTo("00000000");
        }
    }
}
