package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.RawScsiSession;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A damaged {@code <image>.pr} costs its LUN the saved reservations, never the daemon its start
 * (issue 21 finding 1): before, the next start exited 3 ("corrupt reservation file") and took
 * every target down. The LUN serves I/O, the log names the file at ERROR, the file is kept aside
 * for the operator, and the metric counts it.
 */
@Timeout(180)
class DamagedReservationFileIT {

    private static final String INITIATOR = "iqn.2026-12.test:damaged-pr";
    private static final int REGISTER = 0, APTPL = 1;

    @Test
    void theDaemonStartsAndTheLunServesIoWithoutItsReservations() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("DamagedReservationFileIT", "16M")) {
            try (RawScsiSession s = RawScsiSession.login(server.port(), INITIATOR, PlatterProcess.IQN)) {
                s.takeUnitAttentions();
                assertThat(s.persistentReserveOut(REGISTER, 0, 0, 0xAB, APTPL).status()).isEqualTo(RawScsiSession.GOOD);
            }
            server.stop();
            Path pr = server.image().resolveSibling(server.image().getFileName() + ".pr");
            assertThat(pr).exists();
            Files.write(pr, new byte[] {'g', 'e', 'n', 'e', 'r', 'a', 't', 'i', 'o', 'n', ' ', 'x', 0, (byte) 0xfe, '\n'});

            server.startAgain();
            try (RawScsiSession s = RawScsiSession.login(server.port(), INITIATOR, PlatterProcess.IQN)) {
                s.takeUnitAttentions();
                RawScsiSession.Result read = s.command(new byte[] {0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0}, null, 4096);
                assertThat(read.status()).as(read.senseCode()).isEqualTo(RawScsiSession.GOOD);
                assertThat(read.data()).hasSize(4096);
                assertThat(ByteBuffer.wrap(s.persistentReserveIn(0)).getInt(4)).as("no registrations").isZero();
                RawScsiSession.Result write = s.command(new byte[] {0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0}, new byte[512], 0);
                assertThat(write.status()).as(write.senseCode()).isEqualTo(RawScsiSession.GOOD);
            }
            String log = server.logText();
            assertThat(log).containsPattern("ERROR .*" + java.util.regex.Pattern.quote(pr.toString()) + " is damaged");
            assertThat(log.lines().filter(l -> l.contains(pr + " is damaged")).count()).as("logged once").isEqualTo(1);
            assertThat(pr.resolveSibling(pr.getFileName() + ".damaged")).exists();
            server.assertNoInternalErrors();
        }
    }
}
