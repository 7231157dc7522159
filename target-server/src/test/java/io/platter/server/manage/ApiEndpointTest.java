package io.platter.server.manage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the CLI believes of {@code .platter-api} and {@code .platter-token} (issue 21, finding 10):
 * only private files of the caller, root or a trusted owner, never through a symlink, and only a
 * loopback address. Runs as root (as CI does) to give files to user nobody.
 */
class ApiEndpointTest {

    private static final int NOBODY = 65534;
    private static final String TOKEN = "0123456789abcdef";

    @TempDir
    Path dir;

    @BeforeEach
    void asRoot() throws IOException {
        assertThat((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"))
                .as("this test gives files to another user; run it as root (CI does)").isZero();
    }

    @Test
    void thePublishedEndpointIsPrivateAndBelieved() throws Exception {
        new ApiEndpoint("http://127.0.0.1:40123/", TOKEN).publish(dir);
        for (String f : new String[] {ApiEndpoint.API_FILE, ApiEndpoint.TOKEN_FILE}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(f)))).isEqualTo("rw-------");
        }
        assertThat(ApiEndpoint.readTrusted(dir, 0, Set.of())).isEqualTo(new ApiEndpoint("http://127.0.0.1:40123/", TOKEN));
        new ApiEndpoint("http://[::1]:40123/", TOKEN).publish(dir);
        assertThat(ApiEndpoint.readTrusted(dir, 0, Set.of()).url()).isEqualTo("http://[::1]:40123/");
    }

    @Test
    void aDaemonWithdrawsOnlyTheFilesItWrote() throws Exception {
        ApiEndpoint first = new ApiEndpoint("http://127.0.0.1:40123/", TOKEN);
        ApiEndpoint second = new ApiEndpoint("http://127.0.0.1:40999/", "fedcba9876543210");
        first.publish(dir);
        second.withdraw(dir); // issue 15 item 1: a second daemon leaving deleted the first one's files
        assertThat(ApiEndpoint.readTrusted(dir, 0, Set.of())).as("the first daemon's files stay").isEqualTo(first);
        first.withdraw(dir);
        assertThat(dir.resolve(ApiEndpoint.API_FILE)).doesNotExist();
        assertThat(dir.resolve(ApiEndpoint.TOKEN_FILE)).doesNotExist();
    }

    @Test
    void aFileOfAnotherUserIsRefusedUnlessItsOwnerIsTrusted() throws Exception {
        new ApiEndpoint("http://127.0.0.1:40123/", TOKEN).publish(dir);
        Files.setOwner(dir.resolve(ApiEndpoint.API_FILE), nobody());
        assertThat(refusal()).contains(ApiEndpoint.API_FILE).contains("owned by uid " + NOBODY);
        assertThat(ApiEndpoint.readTrusted(dir, 0, Set.of(NOBODY)).token()).as("the named data dir's owner")
                .isEqualTo(TOKEN);
    }

    @Test
    void aSymlinkOrAnOpenModeIsRefused() throws Exception {
        new ApiEndpoint("http://127.0.0.1:40123/", TOKEN).publish(dir);
        Path real = Files.move(dir.resolve(ApiEndpoint.TOKEN_FILE), dir.resolve("elsewhere"));
        Files.createSymbolicLink(dir.resolve(ApiEndpoint.TOKEN_FILE), real);
        assertThat(refusal()).contains(ApiEndpoint.TOKEN_FILE).contains("symlink");

        Files.delete(dir.resolve(ApiEndpoint.TOKEN_FILE));
        Files.move(real, dir.resolve(ApiEndpoint.TOKEN_FILE));
        Files.setPosixFilePermissions(dir.resolve(ApiEndpoint.API_FILE), PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(refusal()).contains(ApiEndpoint.API_FILE).contains("rw-r--r--");
    }

    @Test
    void onlyALoopbackLiteralIsAnAcceptableAddress() throws Exception {
        for (String url : new String[] {"http://192.0.2.7:40123/", "http://localhost:40123/",
                "https://127.0.0.1:40123/", "http://[2001:db8::1]:40123/", "http://127.0.0.1/"}) {
            new ApiEndpoint(url, TOKEN).publish(dir);
            assertThat(refusal()).as(url).contains("only to http://127.0.0.1 or http://[::1]");
        }
    }

    private String refusal() {
        IOException e = catchThrowableOfType(IOException.class, () -> ApiEndpoint.readTrusted(dir, 0, Set.of()));
        assertThat(e).as("refused").isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n").doesNotContain(TOKEN);
        return e.getMessage();
    }

    private UserPrincipal nobody() throws IOException {
        return dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(String.valueOf(NOBODY));
    }
}
