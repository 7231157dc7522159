package io.platter.tests;

import static io.platter.tests.support.Tools.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.ConformanceStatus;
import io.platter.tests.support.CuConsoleParser;
import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.RawIscsiConnection;
import io.platter.tests.support.ScsiInitiator;
import io.platter.tests.support.Tools;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * VAAI primitives on a target with two LUNs: libiscsi's CompareAndWrite, ExtendedCopy and
 * ReceiveCopyResults suites must pass whole, and an EXTENDED COPY sent by a raw iSCSI client
 * copies 8 MiB written to LUN 0 with qemu-img onto LUN 1, which then reads back identical.
 */
@Timeout(900)
class VaaiIT {

    private static final long MIB = 1L << 20;
    private static final int COPY_BLOCKS = (int) (8 * MIB / 512);
    private static final long DESTINATION_LBA = 4096;
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    @Test
    void vaaiSuitesPassAndExtendedCopyCopiesAcrossLuns() throws IOException {
        try (PlatterProcess server = PlatterProcess.start("VaaiIT", "64M", 2)) {
            Map<String, ConformanceStatus> all = new TreeMap<>();
            for (String suite : List.of("CompareAndWrite", "ExtendedCopy", "ReceiveCopyResults")) {
                Tools.Result r = Tools.run(TIMEOUT, cmd("iscsi-test-cu", "--dataloss", "-t", "ALL." + suite,
                        server.url(), server.url()));
                Map<String, ConformanceStatus> results = CuConsoleParser.parse(r.output());
                assertThat(results).as(suite + "\n" + r.output()).isNotEmpty()
                        .allSatisfy((test, status) -> assertThat(status).as(test)
                                .isIn(ConformanceStatus.PASS, ConformanceStatus.SKIP));
                all.putAll(results);
            }
            // SKIP only where libiscsi needs something else (REPORT SUPPORTED OPERATION CODES, a thin LUN).
            assertThat(all).containsEntry("CompareAndWrite.Simple", ConformanceStatus.PASS)
                    .containsEntry("CompareAndWrite.Miscompare", ConformanceStatus.PASS)
                    .containsEntry("CompareAndWrite.Unwritten", ConformanceStatus.PASS)
                    .containsEntry("ExtendedCopy.Simple", ConformanceStatus.PASS)
                    .containsEntry("ExtendedCopy.ParamHdr", ConformanceStatus.PASS)
                    .containsEntry("ExtendedCopy.DescrLimits", ConformanceStatus.PASS)
                    .containsEntry("ExtendedCopy.DescrType", ConformanceStatus.PASS)
                    .containsEntry("ExtendedCopy.ValidTgtDescr", ConformanceStatus.PASS)
                    .containsEntry("ExtendedCopy.ValidSegDescr", ConformanceStatus.PASS)
                    .containsEntry("ReceiveCopyResults.CopyStatus", ConformanceStatus.PASS)
                    .containsEntry("ReceiveCopyResults.OpParams", ConformanceStatus.PASS);

            Path src = server.workDir().resolve("random-8M.img");
            byte[] data = new byte[(int) (8 * MIB)];
            new Random(0xC0FFEEL).nextBytes(data);
            try (OutputStream out = Files.newOutputStream(src)) {
                out.write(data);
            }
            Tools.runOk(TIMEOUT, cmd("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", src, server.url(0)));

            try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), 30_000)) {
                RawIscsiConnection.Session s = c.login("iqn.2026-11.io.platter:vaai-it", PlatterProcess.IQN);
                Scsi scsi = new Scsi(c, s);
                scsi.clearUnitAttentions(0);
                scsi.clearUnitAttentions(1);
                long naa0 = naa(scsi.inquiry83(0));
                long naa1 = naa(scsi.inquiry83(1));
                assertThat(naa1).isNotEqualTo(naa0);
                byte[] list = parameterList(naa0, naa1, COPY_BLOCKS / 2);
                assertThat(scsi.extendedCopy(0, list)).as("EXTENDED COPY status").isZero();
            }

            String window = "driver=raw,offset=" + DESTINATION_LBA * 512 + ",size=" + 8 * MIB
                    + ",file.driver=iscsi,file.transport=tcp,file.portal=" + server.portal()
                    + ",file.target=" + PlatterProcess.IQN + ",file.lun=1";
            String out = Tools.runOk(TIMEOUT, cmd("qemu-img", "compare", "--image-opts",
                    "driver=raw,file.filename=" + src, window));
            assertThat(out).as(out).contains("Images are identical");
        }
    }

    /** Two identification target descriptors (LUN 0, LUN 1) and two block-to-block segments of 4 MiB. */
    private static byte[] parameterList(long naa0, long naa1, int segmentBlocks) {
        ByteBuffer b = ByteBuffer.allocate(16 + 2 * 32 + 2 * 28);
        b.put((byte) 1).put((byte) 0).putShort((short) 64).putInt(0).putInt(56).putInt(0);
        for (long naa : new long[] {naa0, naa1}) {
            b.put((byte) 0xE4).put((byte) 0).putShort((short) 0);
            b.put((byte) 1).put((byte) 3).put((byte) 0).put((byte) 8).putLong(naa).put(new byte[12]);
            b.putInt(512);
        }
        for (int i = 0; i < 2; i++) {
            b.put((byte) 0x02).put((byte) 0).putShort((short) 0x18).putShort((short) 0).putShort((short) 1);
            b.putShort((short) 0).putShort((short) segmentBlocks);
            b.putLong((long) i * segmentBlocks).putLong(DESTINATION_LBA + (long) i * segmentBlocks);
        }
        return b.array();
    }

    /** The NAA designator (first designator, type 3, length 8) of a VPD 83h page. */
    private static long naa(byte[] page) {
        assertThat(page[5] & 0x0F).as("designator type").isEqualTo(3);
        return ByteBuffer.wrap(page).getLong(8);
    }

    /** The VAAI commands of this test on top of {@link ScsiInitiator}. */
    private static final class Scsi {
        private final ScsiInitiator initiator;

        Scsi(RawIscsiConnection c, RawIscsiConnection.Session s) {
            this.initiator = new ScsiInitiator(c, s);
        }

        void clearUnitAttentions(int lun) throws IOException {
            initiator.clearUnitAttentions(lun);
        }

        byte[] inquiry83(int lun) throws IOException {
            byte[] cdb = {0x12, 1, (byte) 0x83, 0, (byte) 255, 0};
            ScsiInitiator.Response r = initiator.command(lun, cdb, null, 255);
            assertThat(r.status()).as("INQUIRY status").isZero();
            return r.dataIn();
        }

        int extendedCopy(int lun, byte[] list) throws IOException {
            byte[] cdb = new byte[16];
            cdb[0] = (byte) 0x83;
            ByteBuffer.wrap(cdb).putInt(10, list.length);
            return initiator.command(lun, cdb, list, 0).status();
        }
    }
}
