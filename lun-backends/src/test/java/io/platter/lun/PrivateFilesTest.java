package io.platter.lun;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.lun.qcow2.Qcow2Image;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images and their sidecars are created 0600 and the data directory 0700 whatever the umask
 * (issue 21 finding 6: under the usual umask 022, which the build runs with, they were 0644 and
 * 0755); an atomic replace leaves no temporary file and replaces a link at the target's name
 * instead of writing through it.
 */
class PrivateFilesTest {

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void imagesAndIdentitiesAreCreatedPrivate(@TempDir Path dir) throws Exception {
        try (RawImage thin = RawImage.create(dir.resolve("thin.img"), 1 << 20, false);
             RawImage thick = RawImage.create(dir.resolve("thick.img"), 1 << 20, true);
             Qcow2Image q = Qcow2Image.create(dir.resolve("q.qcow2"), 1 << 20)) {
            assertThat(thin.size() + thick.size() + q.size()).isEqualTo(3 << 20);
        }
        ImageIdentity.loadOrCreate(dir.resolve("thin.img"));
        for (String name : new String[] {"thin.img", "thick.img", "q.qcow2", "thin.img.id"}) {
            assertThat(mode(dir.resolve(name))).as(name).isEqualTo("rw-------");
        }
    }

    @Test
    void directoriesAreCreatedOwnerOnlyAndExistingOnesLeftAlone(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("a/b/data");
        PrivateFiles.createDirectories(data);
        assertThat(mode(data)).isEqualTo("rwx------");
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-x---"));
        PrivateFiles.createDirectories(data);
        assertThat(mode(data)).isEqualTo("rwxr-x---");
    }

    @Test
    void replaceIsPrivateLeavesNoTemporaryFileAndReplacesALinkNotItsTarget(@TempDir Path dir) throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "precious");
        Path target = dir.resolve("lun0.img.pr");
        Files.createSymbolicLink(target, victim);
        PrivateFiles.replace(target, "new\n".getBytes());
        assertThat(victim).hasContent("precious");
        assertThat(Files.isSymbolicLink(target)).isFalse();
        assertThat(target).hasContent("new");
        assertThat(mode(target)).isEqualTo("rw-------");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("victim", "lun0.img.pr");
        }
        assertThat(PrivateFiles.delete(target)).isTrue();
        assertThat(PrivateFiles.delete(target)).isFalse();
    }
}
