package io.platter.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21, finding 7: CHAP secrets written into a world-readable config, a {@code .bak} that was a
 * hard link of it, a migration backup copying its mode, and {@code chap clear} leaving the old
 * secret in the backup. The attacker is another local user: these tests run as root (as CI does)
 * and read the files as {@code nobody} with setpriv.
 */
class ConfigSecretsFileTest {

    private static final String SECRET = "targetsecret-0123";
    private static final String OTHER = "replacement-45678";
    private static final String OPEN = """
            version: 1
            server:
              portals: ["127.0.0.1:3260"]
              data-dir: data
            targets:
              - iqn: iqn.2026-11.io.platter:a
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void anotherUserMayEnterTheDirectory() throws IOException {
        assertThat((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"))
                .as("these tests act as a second user with setpriv; run them as root (CI does)").isZero();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void aSecretWrittenIntoAWorldReadableFileMakesItOwnerOnly() throws Exception {
        Path file = worldReadable(OPEN);

        ConfigWriter.write(file, withChap(ConfigLoader.load(file), SECRET));

        assertThat(Files.readString(file)).contains(SECRET);
        assertThat(mode(file)).isEqualTo("rw-------");
        assertThat(readableByNobody(file)).as("another user reads the secret").isFalse();
        Path bak = ConfigWriter.backup(file);
        assertThat(mode(bak)).as("the backup (no secret yet) keeps the file's mode").isEqualTo("rw-r--r--");
        assertThat(linkCount(file)).as("not a hard link").isEqualTo(1);
        assertThat(linkCount(bak)).isEqualTo(1);

        // The next change keeps the previous file, secret included, as a private copy.
        ConfigWriter.write(file, ConfigLoader.load(file).withVolumes(List.of()));
        assertThat(Files.readString(bak)).contains(SECRET);
        assertThat(mode(bak)).isEqualTo("rw-------");
        assertThat(readableByNobody(bak)).isFalse();
        assertThat(linkCount(bak)).isEqualTo(1);
    }

    @Test
    void aFileClosedToOthersKeepsItsGroupRead() throws Exception {
        Path file = Files.writeString(dir.resolve("platter.yaml"), OPEN);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

        ConfigWriter.write(file, withChap(ConfigLoader.load(file), SECRET));

        assertThat(mode(file)).as("the package's 0640 for group platter").isEqualTo("rw-r-----");
        assertThat(readableByNobody(file)).isFalse();
    }

    @Test
    void clearingOrReplacingASecretLeavesItInNoFile() throws Exception {
        Path file = worldReadable(OPEN);
        ConfigWriter.write(file, withChap(ConfigLoader.load(file), SECRET));
        ConfigWriter.write(file, ConfigLoader.load(file).withVolumes(List.of()));
        assertThat(Files.readString(ConfigWriter.backup(file))).contains(SECRET);

        // chap set with a new secret: the old one is in no file of the directory.
        assertThat(ConfigWriter.write(file, withChap(ConfigLoader.load(file), OTHER)))
                .isEqualTo(ConfigWriter.Backup.REMOVED_FOR_SECRETS);
        assertThat(filesHolding(SECRET)).isEmpty();
        assertThat(ConfigWriter.backup(file)).doesNotExist();

        // A change that keeps the secret keeps a backup again (it holds only what the file holds).
        assertThat(ConfigWriter.write(file, ConfigLoader.load(file).withVolumes(List.of())))
                .isEqualTo(ConfigWriter.Backup.KEPT);
        assertThat(Files.readString(ConfigWriter.backup(file))).contains(OTHER);

        // chap clear: no file keeps the cleared secret.
        assertThat(ConfigWriter.write(file, withChap(ConfigLoader.load(file), null)))
                .isEqualTo(ConfigWriter.Backup.REMOVED_FOR_SECRETS);
        assertThat(filesHolding(OTHER)).isEmpty();
        assertThat(ConfigLoader.load(file).target("iqn.2026-11.io.platter:a").orElseThrow().chap()).isNull();
    }

    @Test
    void aMigrationMakesNoCopyOfASecret() throws Exception {
        // Issue 15: a version 0 file is migrated in memory; no backup copy of its secrets is made.
        Path file = worldReadable("""
                server:
                  portals: ["127.0.0.1:3260"]
                  data-dir: data
                targets:
                  - iqn: iqn.2026-11.io.platter:a
                    chap:
                      user: u
                      secret: %s
                """.formatted(SECRET));
        String before = Files.readString(file);

        assertThat(ConfigLoader.load(file).target("iqn.2026-11.io.platter:a").orElseThrow().chap().secret())
                .isEqualTo(SECRET);

        assertThat(filesHolding(SECRET)).containsExactly(file);
        assertThat(file).hasContent(before);
    }

    private Path worldReadable(String text) throws IOException, InterruptedException {
        Path file = Files.writeString(dir.resolve("platter.yaml"), text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(readableByNobody(file)).as("the test's premise: another user reads it").isTrue();
        return file;
    }

    private static PlatterConfig withChap(PlatterConfig c, String secret) {
        ChapCredentials chap = secret == null ? null : new ChapCredentials("u", secret, null, null);
        return c.withTargets(c.targets().stream().map(t -> t.withChap(chap)).toList());
    }

    private List<Path> filesHolding(String secret) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> {
                try {
                    return Files.readString(p).contains(secret);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }).toList();
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static int linkCount(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
    }

    /** Whether user nobody (65534, no groups) can read {@code file}. */
    private static boolean readableByNobody(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "cat", file.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return p.waitFor() == 0;
    }
}
