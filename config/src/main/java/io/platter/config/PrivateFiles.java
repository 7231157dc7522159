package io.platter.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * Files that may hold secrets (the config file with its CHAP secrets, its backups): their mode and
 * their atomic replacement. A file holding a secret is never readable by others: it is written
 * 0600, or 0640 when the file it replaces was already closed to others and readable by its group
 * (the package's {@code root:platter} or {@code platter:platter} 0640). Whatever the umask.
 *
 * <p>A write goes to a temporary file with a random name in the target's directory, created with
 * O_CREAT|O_EXCL|O_NOFOLLOW (a planted file or symlink makes it fail, never redirects it), given
 * its owner, group and mode before it holds any data, forced to disk, renamed over the target, and
 * the directory is forced: a crash leaves the old file or the new one, each complete.
 */
public final class PrivateFiles {

    /** {@code rw-------}. */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final SecureRandom RANDOM = new SecureRandom();

    private PrivateFiles() {
    }

    /**
     * The mode for a file holding secrets that replaces (or copies) a file of mode {@code previous}:
     * owner read/write, plus group read only if {@code previous} had it and gave others nothing.
     * Never more than {@code previous} allowed to group and others.
     */
    public static Set<PosixFilePermission> secretMode(Set<PosixFilePermission> previous) {
        Set<PosixFilePermission> mode = EnumSet.copyOf(OWNER_ONLY);
        if (previous.contains(PosixFilePermission.GROUP_READ) && previous.stream().noneMatch(OTHERS::contains)) {
            mode.add(PosixFilePermission.GROUP_READ);
        }
        return mode;
    }

    /**
     * Who owns a file and how it may be read; the template a rewrite of it follows.
     *
     * @param owner the owning user
     * @param group the owning group
     * @param mode  its permission bits
     */
    public record Ownership(UserPrincipal owner, GroupPrincipal group, Set<PosixFilePermission> mode) {

        /** The same owner and group with {@code mode}. */
        public Ownership withMode(Set<PosixFilePermission> mode) {
            return new Ownership(owner, group, mode);
        }

        /** The same owner and group, with the {@link #secretMode} of this mode. */
        public Ownership forSecrets() {
            return withMode(secretMode(mode));
        }

        /** The ownership of {@code file} (its target, when it is a symlink). */
        public static Ownership of(Path file) throws IOException {
            PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class);
            return new Ownership(a.owner(), a.group(), a.permissions());
        }

        /** A new file: ours, {@code mode}. */
        public static Ownership ours(Set<PosixFilePermission> mode) {
            return new Ownership(null, null, mode);
        }
    }

    /**
     * Atomically replaces {@code target} with {@code data}, owned and moded as {@code like} says
     * (owner and group best effort: without the right to give a file away it stays ours, and a
     * group we could not set loses its read bit).
     *
     * @throws IOException if anything fails; {@code target} is then unchanged and no temporary file is left
     */
    public static void write(Path target, byte[] data, Ownership like) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Path dir = abs.getParent();
        byte[] suffix = new byte[8];
        RANDOM.nextBytes(suffix);
        Path tmp = dir.resolve("." + abs.getFileName() + "." + HexFormat.of().formatHex(suffix) + ".tmp");
        boolean done = false;
        try {
            // CREATE_NEW is O_CREAT|O_EXCL; with NOFOLLOW_LINKS also O_NOFOLLOW. 0600 from the
            // first instant: the data is written only once owner and mode are final.
            try (FileChannel ch = FileChannel.open(tmp, Set.<OpenOption>of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(OWNER_ONLY))) {
                applyOwnership(tmp, like);
                ByteBuffer buf = ByteBuffer.wrap(data);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
        fsyncDirectory(dir);
    }

    /**
     * Why this process may not read {@code file}, naming the path and the reason (issue 15 item 9):
     * {@code permission denied: /etc/platter/platter.yaml is mode 0640 owner root:platter and you are
     * uid 1000}; the first directory on the way that cannot be searched when that is the cause.
     */
    public static String whyDenied(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        String you = "you are uid " + uid();
        for (Path dir = abs.getParent(); dir != null; dir = dir.getParent()) {
            if (!Files.isExecutable(dir) && Files.exists(dir)) {
                // The deepest unsearchable directory is what blocks; keep looking upwards only for the first.
                Path blocking = dir;
                for (Path up = dir.getParent(); up != null; up = up.getParent()) {
                    if (!Files.isExecutable(up)) {
                        blocking = up;
                    }
                }
                return "permission denied: cannot reach " + abs + ": directory " + blocking + " is "
                        + describe(blocking) + " and " + you;
            }
        }
        return "permission denied: " + abs + " is " + describe(abs) + " and " + you;
    }

    /**
     * A one-line reason for {@code e}: for a permission error the path, its mode and owner and our
     * uid ({@link #whyDenied}); otherwise the exception's message.
     */
    public static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException denied && denied.getFile() != null) {
            return whyDenied(Path.of(denied.getFile()));
        }
        return e.getMessage();
    }

    private static String describe(Path p) {
        try {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class);
            int mode = 0;
            for (PosixFilePermission bit : a.permissions()) {
                mode |= 1 << (8 - bit.ordinal());
            }
            return String.format("mode %04o owner %s:%s", mode, a.owner().getName(), a.group().getName());
        } catch (IOException | UnsupportedOperationException e) {
            return "not readable (its mode cannot be read either: " + e.getMessage() + ")";
        }
    }

    private static String uid() {
        try {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return System.getProperty("user.name");
        }
    }

    /** Makes a rename in {@code dir} durable (POSIX: the directory entry is data of the directory). */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void applyOwnership(Path file, Ownership like) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> mode = EnumSet.noneOf(PosixFilePermission.class);
        mode.addAll(like.mode());
        PosixFileAttributes now = view.readAttributes();
        if (like.group() != null && !like.group().equals(now.group())) {
            try {
                view.setGroup(like.group());
            } catch (IOException e) {
                // Not a member: the file's group is ours, which must not get what was meant for theirs.
                mode.removeAll(EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                        PosixFilePermission.GROUP_EXECUTE));
            }
        }
        if (like.owner() != null && !like.owner().equals(now.owner())) {
            try {
                view.setOwner(like.owner());
            } catch (IOException e) {
                // Not root: the file stays ours, and we could write the original anyway.
            }
        }
        view.setPermissions(mode);
    }
}
