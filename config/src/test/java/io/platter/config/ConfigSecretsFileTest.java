package io.platter.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import io.platter.config.catalog.FileCatalog;
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
    void aSecretCommittedToTheCatalogOfAnOpenDataDirIsOwnerOnly() throws Exception {
        // Issue 15 item 5: what the CLI makes (CHAP secrets included) goes to the catalog, never to
        // the operator's file; another user reads none of it, whatever the data directory's mode.
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        FileCatalog catalog = FileCatalog.of(data);
        catalog.commit(0, withChap(catalog.empty().withTargets(List.of(new TargetConfig(
                "iqn.2026-11.io.platter:a", null, List.of()))), SECRET));

        List<Path> holding = filesHolding(SECRET);
        assertThat(holding).singleElement().satisfies(f -> {
            assertThat(mode(f)).isEqualTo("rw-------");
            assertThat(readableByNobody(f)).as("another user reads the secret").isFalse();
            assertThat(linkCount(f)).as("the temporary name is gone").isEqualTo(1);
        });

        // chap set with a new secret, then chap clear: the old secrets are in no file.
        catalog.commit(1, withChap(catalog.load().objects(), OTHER));
        assertThat(filesHolding(SECRET)).isEmpty();
        catalog.commit(2, withChap(catalog.load().objects(), null));
        assertThat(filesHolding(OTHER)).isEmpty();
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
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(p -> {
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
