package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.platter.scsi.command.CommandSpec;
import io.platter.scsi.command.CommandTable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** REPORT SUPPORTED OPERATION CODES and REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS (MAINTENANCE IN). */
class MaintenanceInTest {

    /** MAINTENANCE IN / REPORT SUPPORTED OPERATION CODES. */
    private static byte[] rsoc(boolean rctd, int options, int opcode, int serviceAction, long allocation) {
        return cdb(0xA3, 0x0C, (rctd ? 0x80 : 0) | options, opcode, serviceAction >>> 8, serviceAction,
                (int) (allocation >>> 24), (int) (allocation >>> 16), (int) (allocation >>> 8), (int) allocation, 0, 0);
    }

    /**
     * The usage data the table implies: the mask, with the operation code in byte 0 and the
     * service action in its field (SPC-5 §6.34.3).
     */
    private static byte[] expectedUsage(CommandSpec spec) {
        byte[] usage = new byte[spec.cdbLength()];
        for (int i = 0; i < usage.length; i++) {
            usage[i] = (byte) spec.usageMask(i);
        }
        usage[0] = (byte) spec.opcode();
        if (spec.serviceAction() >= 0) {
            usage[1] = (byte) (spec.usageMask(1) & 0xE0 | spec.serviceAction());
        }
        return usage;
    }

    @Test
    void allCommandsListsEveryRowOfTheTableAndOneCommandRoundTripsItsMask() {
        try (Fixture f = Fixture.direct(8)) {
            ByteBuffer all = ByteBuffer.wrap(f.run(rsoc(false, 0, 0, 0, 65535)).assertGood().data());
            int length = all.getInt();
            assertThat(length).isEqualTo(8 * CommandTable.rows().size()).isEqualTo(all.remaining());
            List<CommandSpec> listed = new ArrayList<>();
            while (all.hasRemaining()) {
                int opcode = all.get() & 0xff;
                all.get();
                int sa = all.getShort() & 0xffff;
                all.get();
                int flags = all.get();
                int cdbLength = all.getShort();
                boolean servactv = (flags & 1) != 0;
                assertThat(flags & 0x02).as("CTDP without RCTD").isZero();
                CommandSpec spec = CommandTable.find(opcode, sa);
                assertThat(spec).isNotNull();
                assertThat(servactv).isEqualTo(spec.serviceAction() >= 0);
                assertThat(sa).isEqualTo(Math.max(spec.serviceAction(), 0));
                assertThat(cdbLength).isEqualTo(spec.cdbLength());
                listed.add(spec);

                int options = servactv ? 2 : 1;
                byte[] one = f.run(rsoc(false, options, opcode, sa, 65535)).assertGood().data();
                assertThat(one[1]).as(spec.name() + " SUPPORT 011b").isEqualTo((byte) 0x03);
                assertThat(((one[2] & 0xff) << 8) | (one[3] & 0xff)).isEqualTo(spec.cdbLength());
                byte[] usage = java.util.Arrays.copyOfRange(one, 4, one.length);
                assertThat(ByteBufUtil.hexDump(usage)).as(spec.name()).isEqualTo(ByteBufUtil.hexDump(expectedUsage(spec)));
                // the other single-command option for this kind of opcode is an invalid field
                f.run(rsoc(false, 3 - options, opcode, sa, 65535)).assertCheck(5, 0x24, 0).assertCdbPointer(3, -1);
                // 011b takes either kind
                assertThat(f.run(rsoc(false, 3, opcode, sa, 65535)).assertGood().data()).isEqualTo(one);
            }
            assertThat(listed).containsExactlyElementsOf(CommandTable.rows());
        }
    }

    @Test
    void unsupportedCommandsAreSupport001bWithoutUsageData() {
        try (Fixture f = Fixture.direct(8)) {
            assertThat(ByteBufUtil.hexDump(f.run(rsoc(false, 1, 0xC7, 0, 100)).assertGood().data())).isEqualTo("00010000");
            assertThat(ByteBufUtil.hexDump(f.run(rsoc(false, 2, 0x9E, 0x11, 100)).assertGood().data())).isEqualTo("00010000");
            assertThat(ByteBufUtil.hexDump(f.run(rsoc(false, 2, 0xA3, 0x0C + 0x100, 100)).assertGood().data()))
                    .isEqualTo("00010000");
            assertThat(ByteBufUtil.hexDump(f.run(rsoc(false, 3, 0xC7, 5, 100)).assertGood().data())).isEqualTo("00010000");
        }
    }

    @Test
    void rctdAddsATimeoutsDescriptorToEveryCommand() {
        try (Fixture f = Fixture.direct(8)) {
            ByteBuffer all = ByteBuffer.wrap(f.run(rsoc(true, 0, 0, 0, 65535)).assertGood().data());
            assertThat(all.getInt()).isEqualTo(20 * CommandTable.rows().size());
            while (all.hasRemaining()) {
                byte[] d = new byte[20];
                all.get(d);
                assertThat(d[5] & 0x02).as("CTDP").isEqualTo(0x02);
                assertThat(ByteBufUtil.hexDump(d, 8, 12)).isEqualTo("000a0000" + "00000000" + "0000001e");
            }
            byte[] one = f.run(rsoc(true, 1, 0x28, 0, 65535)).assertGood().data();
            assertThat(one[1] & 0xff).isEqualTo(0x83);
            assertThat(one).hasSize(4 + 10 + 12);
            assertThat(ByteBufUtil.hexDump(one, 14, 12)).isEqualTo("000a0000" + "00000000" + "0000001e");
        }
    }

    @Test
    void reportSupportedOperationCodesErrorsAndTruncation() {
        try (Fixture f = Fixture.direct(8)) {
            for (int options = 4; options < 8; options++) {
                f.run(rsoc(false, options, 0, 0, 100)).assertCheck(5, 0x24, 0).assertCdbPointer(2, 2);
            }
            f.run(rsoc(false, 0x08, 0, 0, 100)).assertCheck(5, 0x24, 0).assertCdbPointer(2, 3);   // reserved bit
            assertThat(f.run(rsoc(false, 0, 0, 0, 10)).assertGood().data()).hasSize(10);
            assertThat(f.run(rsoc(false, 0, 0, 0, 0)).assertGood().data()).isNull();
            f.run(1, rsoc(false, 0, 0, 0, 100), null).assertCheck(5, 0x25, 0);
        }
    }

    @Test
    void reportSupportedTaskManagementFunctions() {
        try (Fixture f = Fixture.direct(8)) {
            // ATS, ATSS, CTSS, LURS; no CACAS, QTS, QTSS, QAES, ITNRS
            assertThat(ByteBufUtil.hexDump(f.run(cdb(0xA3, 0x0D, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0)).assertGood().data()))
                    .isEqualTo("d8000000");
            assertThat(ByteBufUtil.hexDump(f.run(cdb(0xA3, 0x0D, 0x80, 0, 0, 0, 0, 0, 1, 0, 0, 0)).assertGood().data()))
                    .isEqualTo("d800000c" + "00".repeat(12));
            assertThat(f.run(cdb(0xA3, 0x0D, 0x80, 0, 0, 0, 0, 0, 0, 6, 0, 0)).assertGood().data()).hasSize(6);
            f.run(cdb(0xA3, 0x0D, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(6, -1);
            f.run(cdb(0xA3, 0x0D, 0x01, 0, 0, 0, 0, 0, 0, 4, 0, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(2, 0);
            f.run(cdb(0xA3, 0x0E, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0)).assertCheck(5, 0x24, 0).assertCdbPointer(1, 4);
        }
    }
}
