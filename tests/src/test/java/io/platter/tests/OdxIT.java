package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.Cdb;
import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.RawScsiSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Windows ODX over a real iSCSI session, command by command as the Windows offload path sends
 * them: the Third-party Copy VPD page, POPULATE TOKEN with several range descriptors, RECEIVE ROD
 * TOKEN INFORMATION for the token, WRITE USING TOKEN on the same LUN and on another LUN of the
 * target (data read back), then the refusals Windows falls back on: an expired token (a one-second
 * INACTIVITY TIMEOUT), a token whose source was written after POPULATE TOKEN, a forged token (one
 * bit flipped); and the block device zero ROD token zeroing a range.
 */
@Timeout(300)
class OdxIT {

    private static final int BLOCK = 512;

    @Test
    void windowsOffloadSequence() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("OdxIT", "16M", 2);
             RawScsiSession s = RawScsiSession.login(server.port(), "iqn.1991-05.com.microsoft:odx-it", PlatterProcess.IQN)) {
            clearUnitAttentions(s, 0);
            clearUnitAttentions(s, 1);

            // Third-party Copy VPD page: Block Device ROD Token Limits and Supported ROD Types.
            byte[] page = s.command(0, new byte[] {0x12, 1, (byte) 0x8F, 0x04, 0x00, 0}, null, 1024).data();
            assertThat(descriptorTypes(page)).contains(0x0000, 0x0001, 0x0108, 0x8001);

            byte[] a = random(16, 1);
            byte[] b = random(16, 2);
            write(s, 0, 0, a);
            write(s, 0, 64, b);
            byte[] expected = concat(a, b);

            assertThat(status(s.command(0, populateCdb(1, 48), populateList(0, new long[] {0, 16}, new long[] {64, 16}), 0)))
                    .isEqualTo("GOOD");
            RawScsiSession.Result info = s.command(0, rrtiCdb(1), null, 1024);
            assertThat(status(info)).isEqualTo("GOOD");
            ByteBuffer i = ByteBuffer.wrap(info.data());
            assertThat(info.data()[4]).as("RESPONSE TO SERVICE ACTION").isEqualTo((byte) 0x10);
            assertThat(info.data()[5]).as("COPY OPERATION STATUS").isEqualTo((byte) 0x01);
            assertThat(i.getLong(16)).as("TRANSFER COUNT").isEqualTo(32);
            assertThat(i.getInt(32)).as("ROD TOKEN DESCRIPTORS LENGTH").isEqualTo(514);
            byte[] token = Arrays.copyOfRange(info.data(), 38, 38 + 512);

            // Same LUN, two destination ranges.
            assertThat(status(s.command(0, wutCdb(2, 568), wutList(token, new long[] {200, 20}, new long[] {300, 12}), 0)))
                    .isEqualTo("GOOD");
            RawScsiSession.Result done = s.command(0, rrtiCdb(2), null, 1024);
            assertThat(done.data()[4]).isEqualTo((byte) 0x11);
            assertThat(ByteBuffer.wrap(done.data()).getLong(16)).isEqualTo(32);
            assertThat(concat(read(s, 0, 200, 20), read(s, 0, 300, 12))).isEqualTo(expected);

            // Another LUN of the target.
            assertThat(status(s.command(1, wutCdb(3, 552), wutList(token, new long[] {10, 32}), 0))).isEqualTo("GOOD");
            assertThat(read(s, 1, 10, 32)).isEqualTo(expected);

            // A forged token: one bit flipped.
            byte[] forged = token.clone();
            forged[200] ^= 0x10;
            assertThat(s.command(1, wutCdb(4, 552), wutList(forged, new long[] {100, 32}), 0).senseCode()).isEqualTo("5/23/05");

            // A write to the source between POPULATE TOKEN and WRITE USING TOKEN cancels the token.
            assertThat(status(s.command(0, populateCdb(5, 32), populateList(0, new long[] {0, 16}), 0))).isEqualTo("GOOD");
            byte[] second = Arrays.copyOfRange(s.command(0, rrtiCdb(5), null, 1024).data(), 38, 550);
            write(s, 0, 5, random(1, 3));
            assertThat(s.command(1, wutCdb(6, 552), wutList(second, new long[] {100, 16}), 0).senseCode()).isEqualTo("5/23/08");
            assertThat(read(s, 1, 100, 16)).containsOnly(0);

            // An expired token: INACTIVITY TIMEOUT of one second.
            assertThat(status(s.command(0, populateCdb(7, 32), populateList(1, new long[] {64, 16}), 0))).isEqualTo("GOOD");
            byte[] third = Arrays.copyOfRange(s.command(0, rrtiCdb(7), null, 1024).data(), 38, 550);
            Thread.sleep(2_500);
            assertThat(s.command(0, wutCdb(8, 552), wutList(third, new long[] {400, 16}), 0).senseCode()).isEqualTo("5/23/07");

            // The block device zero ROD token zeroes a range.
            byte[] zero = new byte[512];
            ByteBuffer.wrap(zero).putInt(0xFFFF0001).putShort(6, (short) 0x01F8);
            assertThat(status(s.command(1, wutCdb(9, 552), wutList(zero, new long[] {10, 8}), 0))).isEqualTo("GOOD");
            assertThat(read(s, 1, 10, 8)).containsOnly(0);
            assertThat(read(s, 1, 18, 24)).isEqualTo(Arrays.copyOfRange(expected, 8 * BLOCK, 32 * BLOCK));

            server.assertNoInternalErrors();
        }
    }

    private static String status(RawScsiSession.Result r) {
        return r.status() == RawScsiSession.GOOD ? "GOOD" : "status " + r.status() + " " + r.senseCode();
    }

    private static void clearUnitAttentions(RawScsiSession s, int lun) throws IOException {
        for (int n = 0; n < 16; n++) {
            if (s.command(lun, new byte[6], null, 0).status() == RawScsiSession.GOOD) {
                return;
            }
        }
        throw new AssertionError("unit attentions do not end on LUN " + lun);
    }

    private static void write(RawScsiSession s, int lun, long lba, byte[] data) throws IOException {
        RawScsiSession.Result r = s.command(lun, Cdb.write16(lba, data.length / BLOCK), data, 0);
        assertThat(status(r)).isEqualTo("GOOD");
    }

    private static byte[] read(RawScsiSession s, int lun, long lba, int blocks) throws IOException {
        RawScsiSession.Result r = s.command(lun, Cdb.read16(lba, blocks), null, blocks * BLOCK);
        assertThat(status(r)).isEqualTo("GOOD");
        return r.data();
    }

    private static byte[] random(int blocks, long seed) {
        byte[] b = new byte[blocks * BLOCK];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[] x, byte[] y) {
        byte[] out = Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, out, x.length, y.length);
        return out;
    }

    /** POPULATE TOKEN (SBC-4, 83h/10h): LIST IDENTIFIER bytes 6-9, PARAMETER LIST LENGTH 10-13. */
    private static byte[] populateCdb(int listId, int length) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x83;
        c[1] = 0x10;
        ByteBuffer.wrap(c).putInt(6, listId).putInt(10, length);
        return c;
    }

    private static byte[] wutCdb(int listId, int length) {
        byte[] c = populateCdb(listId, length);
        c[1] = 0x11;
        return c;
    }

    /** RECEIVE ROD TOKEN INFORMATION (SPC-5, 84h/07h): LIST IDENTIFIER bytes 2-5, ALLOCATION LENGTH 10-13. */
    private static byte[] rrtiCdb(int listId) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x84;
        c[1] = 0x07;
        ByteBuffer.wrap(c).putInt(2, listId).putInt(10, 1024);
        return c;
    }

    private static byte[] populateList(int timeoutSeconds, long[]... ranges) {
        ByteBuffer b = ByteBuffer.allocate(16 + 16 * ranges.length);
        b.putShort((short) (b.capacity() - 2)).putShort((short) 0).putInt(timeoutSeconds).putInt(0);
        b.putShort((short) 0).putShort((short) (16 * ranges.length));
        for (long[] r : ranges) {
            b.putLong(r[0]).putInt((int) r[1]).putInt(0);
        }
        return b.array();
    }

    private static byte[] wutList(byte[] token, long[]... ranges) {
        ByteBuffer b = ByteBuffer.allocate(536 + 16 * ranges.length);
        b.putShort((short) (b.capacity() - 2)).put(new byte[6]).putLong(0).put(token).put(new byte[6]);
        b.putShort((short) (16 * ranges.length));
        for (long[] r : ranges) {
            b.putLong(r[0]).putInt((int) r[1]).putInt(0);
        }
        return b.array();
    }

    private static java.util.List<Integer> descriptorTypes(byte[] page) {
        ByteBuffer b = ByteBuffer.wrap(page);
        java.util.List<Integer> types = new java.util.ArrayList<>();
        for (int at = 4; at + 4 <= page.length; at += 4 + (b.getShort(at + 2) & 0xFFFF)) {
            types.add(b.getShort(at) & 0xFFFF);
        }
        return types;
    }
}
