package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.platter.scsi.mode.FileModeStore;
import io.platter.scsi.reservation.FileReservationStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files a unit persists beside its image (issue 21 findings 1, 4 and 6): a crafted initiator
 * name cannot forge reservation state, a damaged {@code .pr} costs the unit its reservations and
 * nothing else, a link planted at the old temporary names never redirects a save, and the files
 * are created 0600 whatever the umask.
 */
class ReservationFileTest {

    static final ItNexus B = ReservationTest.B;
    static final byte[] TUR = cdb(0x00, 0, 0, 0, 0, 0);
    static final byte[] READ10 = Fixture.rw10(0x28, 0, 1, 0);
    static final byte[] READ_KEYS = cdb(0x5E, 0, 0, 0, 0, 0, 0, 0x10, 0, 0);

    private static ScsiTarget target(Path image) throws Exception {
        ScsiTarget t = new ScsiTarget("t", Fixture.ALLOC);
        t.addLun(0, new LogicalUnit(new LunIdentity(Fixture.UUID_1), new MemoryDevice(8 * 512, false), Runnable::run,
                Fixture.ALLOC, new FileModeStore(image.resolveSibling(image.getFileName() + ".mode")),
                FileReservationStore.besideImage(image)));
        return t;
    }

    private static Fixture.Result registerWithAptpl(ScsiTarget t, ItNexus n, long key) {
        return Fixture.run(t, n, 0, cdb(0x5F, 0, 0, 0, 0, 0, 0, 0, 24, 0),
                Unpooled.wrappedBuffer(ByteBuffer.allocate(24).putLong(0).putLong(key).put(20, (byte) 1).array()));
    }

    @Test
    void aCraftedInitiatorNameCannotForgeARegistrationOrAReservation(@TempDir Path dir) throws Exception {
        Path image = dir.resolve("lun0.img");
        // Spelled like the lines of the file: a second registration and an Exclusive Access reservation.
        ItNexus evil = new ItNexus("iqn.evil,i,0x000000000001 iqn.t,t,0x1\nreservation 0 3\n"
                + "key bb 1 iqn.other,i,0x000000000009", "iqn.t,t,0x1");
        ScsiTarget first = target(image);
        Fixture.run(first, evil, 0, TUR, null).assertCheck(6, 0x29, 0);
        registerWithAptpl(first, evil, 0xAA).assertGood();

        ScsiTarget second = target(image);
        Fixture.run(second, B, 0, TUR, null).assertCheck(6, 0x29, 0);
        Fixture.run(second, B, 0, READ10, null).assertGood();
        assertThat(ByteBufUtil.hexDump(Fixture.run(second, B, 0, READ_KEYS, null).assertGood().data()))
                .as("one registration, key aa").isEqualTo("00000001" + "00000008" + "00000000000000aa");
        // The name itself survived intact: the full status names the crafted initiator port.
        byte[] full = Fixture.run(second, B, 0, cdb(0x5E, 3, 0, 0, 0, 0, 0, 1, 0, 0), null).assertGood().data();
        assertThat(new String(full, StandardCharsets.UTF_8)).contains(evil.initiatorPort());
    }

    @Test
    void aDamagedReservationFileCostsTheUnitItsReservationsOnly(@TempDir Path dir) throws Exception {
        Path image = dir.resolve("lun0.img");
        Path pr = dir.resolve("lun0.img.pr");
        Files.write(pr, new byte[] {'g', 'e', 'n', 0, (byte) 0xff, '\n', 'k', 'e', 'y'});
        long damaged = PersistedStateErrors.count();

        ScsiTarget t = target(image);   // does not throw
        Fixture.run(t, B, 0, TUR, null).assertCheck(6, 0x29, 0);
        Fixture.run(t, B, 0, READ10, null).assertGood();
        assertThat(ByteBufUtil.hexDump(Fixture.run(t, B, 0, READ_KEYS, null).assertGood().data()))
                .isEqualTo("00000000" + "00000000");
        assertThat(PersistedStateErrors.count()).isEqualTo(damaged + 1);
        assertThat(pr).doesNotExist();
        assertThat(dir.resolve("lun0.img.pr.damaged")).hasBinaryContent(
                new byte[] {'g', 'e', 'n', 0, (byte) 0xff, '\n', 'k', 'e', 'y'});
        // The unit works on: a new APTPL registration is saved.
        registerWithAptpl(t, B, 0xB).assertGood();
        assertThat(pr).exists();
    }

    @Test
    void savesNeverFollowALinkPlantedAtTheOldTemporaryNames(@TempDir Path root) throws Exception {
        // The image sits in a directory the attacker may write; the victim in one it may not.
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path shared = Files.createDirectory(root.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path safe = Files.createDirectory(root.resolve("safe"));
        Path victim = Files.writeString(safe.resolve("victim"), "precious\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
        Path image = shared.resolve("lun0.img");
        plantLink(victim, shared.resolve("lun0.img.pr.tmp"));
        plantLink(victim, shared.resolve("lun0.img.mode.tmp"));

        ScsiTarget t = target(image);
        Fixture.run(t, B, 0, TUR, null).assertCheck(6, 0x29, 0);
        registerWithAptpl(t, B, 0xB).assertGood();
        new FileModeStore(shared.resolve("lun0.img.mode")).save(Map.of("caching.wce", "false"));

        assertThat(victim).hasContent("precious");
        assertThat(Files.isSymbolicLink(shared.resolve("lun0.img.pr"))).isFalse();
        assertThat(Files.isSymbolicLink(shared.resolve("lun0.img.mode"))).isFalse();
        assertThat(Files.readString(shared.resolve("lun0.img.pr"))).contains("key b 0 ");
        try (var files = Files.list(shared)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .as("no temporary file left, the planted links untouched")
                    .containsExactly("lun0.img.mode", "lun0.img.mode.tmp", "lun0.img.pr", "lun0.img.pr.tmp");
        }
    }

    @Test
    void reservationAndModeFilesAreCreatedPrivate(@TempDir Path dir) throws Exception {
        // The build runs under the usual umask 022, under which files were created 0644.
        Path image = dir.resolve("lun0.img");
        ScsiTarget t = target(image);
        Fixture.run(t, B, 0, TUR, null).assertCheck(6, 0x29, 0);
        registerWithAptpl(t, B, 0xB).assertGood();
        new FileModeStore(dir.resolve("lun0.img.mode")).save(Map.of("caching.wce", "false"));
        for (String name : List.of("lun0.img.pr", "lun0.img.mode")) {
            assertThat(PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir.resolve(name), LinkOption.NOFOLLOW_LINKS)))
                    .as(name).isEqualTo("rw-------");
        }
    }

    /** Creates the link as another user (nobody) when the test runs as root, else as this user. */
    private static void plantLink(Path target, Path link) throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            Files.createSymbolicLink(link, target);
            return;
        }
        Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "ln", "-s", target.toString(), link.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        assertThat(Files.getOwner(link, LinkOption.NOFOLLOW_LINKS).getName()).isNotEqualTo("root");
    }
}
