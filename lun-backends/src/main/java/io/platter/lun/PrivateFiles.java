package io.platter.lun;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files only the daemon's user may read: images and the small files kept beside them (identity,
 * saved unit state) are created 0600 and the data directory 0700 at creation, whatever the umask
 * (never chmod afterwards: the window in between would let another user open them). Sidecars
 * are replaced atomically through a temporary file with a random name, created with
 * O_CREAT|O_EXCL and written without following links, so a link planted next to the target
 * (even in a directory another user can write) never redirects the write.
 */
public final class PrivateFiles {

    /** rw------- : images and sidecars. */
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    /** rwx------ : the data directory. */
    public static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");

    private PrivateFiles() {
    }

    /** The attribute to create a private file with ({@link Files#createFile}, {@code FileChannel.open}). */
    public static FileAttribute<Set<PosixFilePermission>> fileMode() {
        return PosixFilePermissions.asFileAttribute(FILE_MODE);
    }

    /** Creates {@code dir} and its missing parents 0700; an existing directory is left as it is. */
    public static void createDirectories(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY_MODE));
        }
    }

    /**
     * Creates the new empty file {@code file} 0600 (fails if anything, a link included, is there).
     *
     * @throws java.nio.file.FileAlreadyExistsException if the name is taken
     */
    public static void createFile(Path file) throws IOException {
        Files.createFile(file, fileMode());
    }

    /**
     * Replaces {@code target} with {@code content}, crash-safely: a temporary file with a random
     * name in the target's directory (O_CREAT|O_EXCL, 0600, never a link) is written and forced,
     * renamed over the target (rename(2) replaces a link at the target's name, never what it
     * points to) and the directory is forced, so a crash leaves the old or the new content.
     */
    public static void replace(Path target, byte[] content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Path temp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp", fileMode());
        try {
            try (FileChannel ch = FileChannel.open(temp, Set.of(StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))) {
                ByteBuffer b = ByteBuffer.wrap(content);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        Durable.syncParent(absolute);
    }

    /** Deletes {@code file} (a link itself, not its target) durably; false when there was none. */
    public static boolean delete(Path file) throws IOException {
        if (!Files.deleteIfExists(file)) {
            return false;
        }
        Durable.syncParent(file);
        return true;
    }
}
