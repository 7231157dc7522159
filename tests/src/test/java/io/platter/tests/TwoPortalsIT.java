package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.RawScsiSession;
import io.platter.tests.support.RawScsiSession.Result;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two portals of one target (issue 10 acceptance): a session through each sees the same logical
 * unit designators (VPD page 83h, SPC-5 §7.7.6), the same REPORT TARGET PORT GROUPS answer
 * (SPC-5 §6.36) and the other's persistent reservation (SPC-5 §5.14).
 */
@Timeout(120)
class TwoPortalsIT {

    private static final byte[] INQUIRY_VPD_83 = {0x12, 0x01, (byte) 0x83, 0x01, 0x00, 0x00};
    private static final byte[] REPORT_TARGET_PORT_GROUPS = {(byte) 0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0};
    private static final int REGISTER = 0, RESERVE = 1, PREEMPT_AND_ABORT = 5, WRITE_EXCLUSIVE = 1;

    @Test
    void sessionsThroughTwoPortalsSeeOneUnitOneAluaAnswerAndEachOthersReservation() throws Exception {
        int second = PlatterProcess.freePort();
        try (PlatterProcess server = PlatterProcess.start("TwoPortalsIT", (port, dir) -> """
                server:
                  portals: ["127.0.0.1:%d", "127.0.0.1:%d"]
                  data-dir: %s
                targets:
                  - iqn: %s
                    luns:
                      - id: 0
                        image: lun0.img
                        size: 16M
                        provisioning: thin
                """.formatted(port, second, dir.toAbsolutePath(), PlatterProcess.IQN),
                // The harness names its portal on the command line, which replaces the configured
                // list; the second one is named there too.
                List.of("--portal", "127.0.0.1:" + second));
             RawScsiSession a = RawScsiSession.login(server.port(), "iqn.2026-11.test:node-a", PlatterProcess.IQN);
             RawScsiSession b = RawScsiSession.login(second, "iqn.2026-11.test:node-b", PlatterProcess.IQN)) {
            assertThat(a.takeUnitAttentions()).contains("6/29/00");
            assertThat(b.takeUnitAttentions()).contains("6/29/00");

            byte[] vpdA = good(a.command(INQUIRY_VPD_83, null, 256)).data();
            byte[] vpdB = good(b.command(INQUIRY_VPD_83, null, 256)).data();
            List<String> unitA = unitDesignators(vpdA);
            assertThat(unitA).as("logical unit designators").isNotEmpty().isEqualTo(unitDesignators(vpdB));
            assertThat(designatorTypes(vpdA)).as("relative target port and target port group designators")
                    .contains(0x4, 0x5);

            byte[] groupsA = good(a.command(REPORT_TARGET_PORT_GROUPS, null, 4096)).data();
            byte[] groupsB = good(b.command(REPORT_TARGET_PORT_GROUPS, null, 4096)).data();
            assertThat(groupsA.length).isGreaterThan(4);
            assertThat(HexFormat.of().formatHex(groupsB)).isEqualTo(HexFormat.of().formatHex(groupsA));

            good(a.persistentReserveOut(REGISTER, 0, 0, 0xAAAAL, 0));
            good(a.persistentReserveOut(RESERVE, WRITE_EXCLUSIVE, 0xAAAAL, 0, 0));
            byte[] write10 = {0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0};
            assertThat(b.command(write10, new byte[512], 0).status()).isEqualTo(RawScsiSession.RESERVATION_CONFLICT);
            good(a.command(write10, new byte[512], 0));
            byte[] keys = b.persistentReserveIn(0);
            assertThat(ByteBuffer.wrap(keys).getInt(4)).as("additional length: one key").isEqualTo(8);
            assertThat(ByteBuffer.wrap(keys).getLong(8)).isEqualTo(0xAAAAL);
            byte[] reservation = b.persistentReserveIn(1);
            assertThat(ByteBuffer.wrap(reservation).getLong(8)).isEqualTo(0xAAAAL);
            assertThat(reservation[21] & 0x0f).as("type").isEqualTo(WRITE_EXCLUSIVE);

            // PREEMPT AND ABORT through the other portal: goes through the transport's abort hook.
            good(b.persistentReserveOut(REGISTER, 0, 0, 0xBBBBL, 0));
            good(a.persistentReserveOut(PREEMPT_AND_ABORT, WRITE_EXCLUSIVE, 0xAAAAL, 0xBBBBL, 0));
            assertThat(b.takeUnitAttentions()).as("B had no task to lose").containsExactly("6/2a/05");
            assertThat(b.command(write10, new byte[512], 0).status()).isEqualTo(RawScsiSession.RESERVATION_CONFLICT);
        }
    }

    private static Result good(Result r) {
        assertThat(r.status()).as("status, sense " + r.senseCode()).isEqualTo(RawScsiSession.GOOD);
        return r;
    }

    /** The designators of VPD page 83h with association 00b (the logical unit), as hex. */
    private static List<String> unitDesignators(byte[] page) {
        List<String> out = new ArrayList<>();
        forEachDesignator(page, (at, length) -> {
            if ((page[at + 1] & 0x30) == 0) {
                out.add(HexFormat.of().formatHex(Arrays.copyOfRange(page, at, at + 4 + length)));
            }
        });
        return out;
    }

    private static List<Integer> designatorTypes(byte[] page) {
        List<Integer> out = new ArrayList<>();
        forEachDesignator(page, (at, length) -> out.add(page[at + 1] & 0x0f));
        return out;
    }

    private interface DesignatorVisitor {
        void visit(int at, int length);
    }

    private static void forEachDesignator(byte[] page, DesignatorVisitor visitor) {
        int end = Math.min(page.length, 4 + ((page[2] & 0xff) << 8 | page[3] & 0xff));
        for (int at = 4; at + 4 <= end; at += 4 + (page[at + 3] & 0xff)) {
            visitor.visit(at, page[at + 3] & 0xff);
        }
    }
}
