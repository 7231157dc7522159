package io.platter.server.manage;

import io.platter.config.ConfigWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * How the CLI finds the daemon: {@code <data-dir>/.platter-api} holds the API's base URL and
 * {@code <data-dir>/.platter-token} the bearer token, readable by the daemon's user only (0600).
 * Both are written atomically when the daemon starts and removed when it stops.
 *
 * @param url   the API's base URL, e.g. {@code http://127.0.0.1:40123/}
 * @param token the credential a request presents ({@code Authorization: Bearer ...})
 */
public record ApiEndpoint(String url, String token) {

    public static final String API_FILE = ".platter-api";
    public static final String TOKEN_FILE = ".platter-token";

    /** A fresh 256-bit token. */
    public static String newToken() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Publishes this endpoint in {@code dataDir}; the token file is created 0600 before it holds the token. */
    public void publish(Path dataDir) throws IOException {
        writeAtomically(dataDir.resolve(TOKEN_FILE), token, "rw-------");
        writeAtomically(dataDir.resolve(API_FILE), url, "rw-r--r--");
        ConfigWriter.fsyncDirectory(dataDir);
    }

    /** Removes the files of {@link #publish}. */
    public static void withdraw(Path dataDir) {
        try {
            Files.deleteIfExists(dataDir.resolve(API_FILE));
            Files.deleteIfExists(dataDir.resolve(TOKEN_FILE));
        } catch (IOException ignored) {
            // a stale file only makes the CLI report that the daemon is not running
        }
    }

    /**
     * Reads the endpoint the daemon serving {@code dataDir} published.
     *
     * @throws IOException with a message for the operator when there is none or it cannot be read
     */
    public static ApiEndpoint read(Path dataDir) throws IOException {
        try {
            String url = Files.readString(dataDir.resolve(API_FILE), StandardCharsets.UTF_8).trim();
            String token = Files.readString(dataDir.resolve(TOKEN_FILE), StandardCharsets.UTF_8).trim();
            return new ApiEndpoint(url, token);
        } catch (NoSuchFileException e) {
            throw new IOException("no daemon is serving " + dataDir + " (no " + e.getFile()
                    + "); start platter serve, or point --data-dir/--config at its data directory");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException("cannot read " + e.getFile() + ": permission denied; run as the daemon's user");
        }
    }

    private static void writeAtomically(Path file, String text, String mode) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
