package io.platter.server.manage;

import io.platter.config.PrivateFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the CLI finds the daemon: {@code <data-dir>/.platter-api} holds the API's base URL and
 * {@code <data-dir>/.platter-token} the bearer token, both readable by the daemon's user only (0600).
 * Both are written atomically when the daemon starts and removed when it stops, by the daemon that
 * wrote them only.
 *
 * @param url   the API's base URL, e.g. {@code http://127.0.0.1:40123/}
 * @param token the credential a request presents ({@code Authorization: Bearer ...})
 */
public record ApiEndpoint(String url, String token) {

    public static final String API_FILE = ".platter-api";
    public static final String TOKEN_FILE = ".platter-token";
    private static final int MAX_FILE = 4096;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** A fresh 256-bit token. */
    public static String newToken() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Publishes this endpoint in {@code dataDir}; each file is created 0600 before it holds anything. */
    public void publish(Path dataDir) throws IOException {
        writeAtomically(dataDir.resolve(TOKEN_FILE), token);
        // 0600 too: the CLI believes only a private file (see readTrusted).
        writeAtomically(dataDir.resolve(API_FILE), url);
        PrivateFiles.fsyncDirectory(dataDir);
    }

    /**
     * Removes the files of {@link #publish}, each only while it still holds what this endpoint
     * wrote there (the token is fresh for every daemon, so its file cannot hold it by chance):
     * a file another daemon published is left alone (issue 15, item 1: a second daemon on the
     * same data directory deleted the running one's files on its way out).
     */
    public void withdraw(Path dataDir) {
        // The token first: while it is there, the API file next to it may still be a live daemon's.
        deleteIfHolding(dataDir.resolve(TOKEN_FILE), token);
        deleteIfHolding(dataDir.resolve(API_FILE), url);
    }

    private static void deleteIfHolding(Path file, String text) {
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > MAX_FILE) {
                return;
            }
            if (Files.readString(file, StandardCharsets.UTF_8).trim().equals(text)) {
                Files.deleteIfExists(file);
            }
        } catch (IOException ignored) {
            // a stale file only makes the CLI report that the daemon is not running
        }
    }

    /**
     * Reads the endpoint the daemon serving {@code dataDir} published, without checking who
     * wrote it: for the daemon's own use and for tests that started it. The CLI uses
     * {@link #readTrusted}.
     *
     * @throws IOException with a message for the operator when there is none or it cannot be read
     */
    public static ApiEndpoint read(Path dataDir) throws IOException {
        try {
            String url = Files.readString(dataDir.resolve(API_FILE), StandardCharsets.UTF_8).trim();
            String token = Files.readString(dataDir.resolve(TOKEN_FILE), StandardCharsets.UTF_8).trim();
            return new ApiEndpoint(url, token);
        } catch (NoSuchFileException e) {
            throw new IOException(notServing(dataDir, e));
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException("cannot read " + e.getFile() + ": permission denied; run as the daemon's user");
        }
    }

    /**
     * Reads the endpoint as a client that sends secrets to it must (issue 21, finding 10: another
     * user planted {@code ./platter-data/.platter-api} pointing at its own listener and received a
     * CHAP secret). Both files must be regular files, not symlinks, with no group or other
     * permission bits, owned by the caller, by root, or by one of {@code alsoTrusted} (the owner
     * of a data directory the operator named); the URL must be plain HTTP to a loopback address
     * literal (the API has no TLS yet, so a token must not cross a network).
     *
     * @param callerUid   the uid of the process asking
     * @param alsoTrusted further uids whose files are believed (empty for an implicit location)
     * @throws IOException with a one-line message saying which file is refused and why
     */
    public static ApiEndpoint readTrusted(Path dataDir, int callerUid, Set<Integer> alsoTrusted) throws IOException {
        Set<Integer> trusted = new HashSet<>(alsoTrusted);
        trusted.add(callerUid);
        trusted.add(0);
        try {
            String url = readPrivate(dataDir.resolve(API_FILE), trusted);
            String token = readPrivate(dataDir.resolve(TOKEN_FILE), trusted);
            checkLoopback(url, dataDir.resolve(API_FILE));
            return new ApiEndpoint(url, token);
        } catch (NoSuchFileException e) {
            throw new IOException(notServing(dataDir, e));
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException("cannot read " + e.getFile() + ": permission denied; run as the daemon's user");
        }
    }

    /** The uid owning {@code path} (itself, not a symlink's target). */
    public static int uidOf(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static String notServing(Path dataDir, NoSuchFileException e) {
        return "no daemon is serving " + dataDir + " (no " + e.getFile()
                + "); start platter serve, or point --data-dir/--config at its data directory";
    }

    /** The text of a small file the checks of {@link #readTrusted} accept, checked again after reading. */
    private static String readPrivate(Path file, Set<Integer> trusted) throws IOException {
        PosixFileAttributes before = checkPrivate(file, trusted);
        byte[] raw;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(MAX_FILE + 1);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // until full or at the end
            }
            if (buf.position() > MAX_FILE) {
                throw new IOException("refusing " + file + ": larger than " + MAX_FILE + " bytes");
            }
            raw = java.util.Arrays.copyOf(buf.array(), buf.position());
        }
        // The same file (inode) still, and still private: it was not swapped while we read it.
        PosixFileAttributes after = checkPrivate(file, trusted);
        if (!java.util.Objects.equals(before.fileKey(), after.fileKey())) {
            throw new IOException("refusing " + file + ": it was replaced while being read");
        }
        return new String(raw, StandardCharsets.UTF_8).trim();
    }

    private static PosixFileAttributes checkPrivate(Path file, Set<Integer> trusted) throws IOException {
        PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink()) {
            throw new IOException("refusing " + file + ": it is a symlink; the daemon writes a plain file");
        }
        if (!a.isRegularFile()) {
            throw new IOException("refusing " + file + ": not a regular file");
        }
        int uid = uidOf(file);
        if (!trusted.contains(uid)) {
            throw new IOException("refusing " + file + ": owned by uid " + uid
                    + ", not by you, root or the data directory's owner (another user may have planted it)");
        }
        Set<PosixFilePermission> open = EnumSet.copyOf(a.permissions());
        open.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        if (!open.isEmpty()) {
            throw new IOException("refusing " + file + ": mode " + PosixFilePermissions.toString(a.permissions())
                    + " lets others read or change it; the daemon writes it rw------- (0600)");
        }
        return a;
    }

    /** Only {@code http://<loopback literal>:<port>/}: no host name to resolve, nothing off this host. */
    private static void checkLoopback(String url, Path file) throws IOException {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IOException("refusing " + file + ": not a URL");
        }
        String host = uri.getHost();
        boolean literal = host != null && (IPV4.matcher(host).matches() || (host.startsWith("[") && host.endsWith("]")));
        boolean loopback = false;
        if (literal) {
            loopback = InetAddress.getByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host)
                    .isLoopbackAddress();
        }
        if (!"http".equals(uri.getScheme()) || !loopback || uri.getPort() <= 0) {
            throw new IOException("refusing the API address in " + file + ": the CLI sends the token and secrets"
                    + " only to http://127.0.0.1 or http://[::1] (the API has no TLS yet)");
        }
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        PrivateFiles.write(file, (text + "\n").getBytes(StandardCharsets.UTF_8),
                PrivateFiles.Ownership.ours(PrivateFiles.OWNER_ONLY));
    }
}
