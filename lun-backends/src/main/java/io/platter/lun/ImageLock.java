package io.platter.lun;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The image locks QEMU's file driver takes (QEMU block/file-posix.c, "Posix file locking bytes"),
 * taken the same way, so that QEMU and Platter see each other's use of an image: for each
 * permission an opener holds, a shared open file description lock on byte 100 + bit; for each
 * permission it does not let others hold, one on byte 200 + bit. Having placed its own, an
 * opener looks for a conflict: someone else locking byte 200 + bit of a permission it holds, or
 * byte 100 + bit of one it does not share. Libvirt uses byte 0, which is why QEMU starts at 100.
 *
 * <p>The locks live on a libc descriptor's open file description: a second open of the image,
 * in this process too, is another description and sees them; closing the descriptor drops them.
 * They are advisory: they keep out QEMU, a second Platter and {@code platter image}, not a
 * program that ignores them.
 */
public final class ImageLock {

    private static final Logger LOG = LoggerFactory.getLogger(ImageLock.class);
    private static final int HELD_BASE = 100;
    private static final int UNSHARED_BASE = 200;

    private ImageLock() { }

    /**
     * The permissions QEMU locks, as bits of its BLK_PERM_* mask (include/block/block-common.h);
     * the name is QEMU's, so the messages match qemu-img's "Failed to get "write" lock".
     */
    enum Permission {
        CONSISTENT_READ(0, "consistent read"),
        WRITE(1, "write"),
        WRITE_UNCHANGED(2, "write unchanged"),
        RESIZE(3, "resize");

        private final int bit;
        private final String qemuName;

        Permission(int bit, String qemuName) {
            this.bit = bit;
            this.qemuName = qemuName;
        }

        long heldByte() {
            return HELD_BASE + bit;
        }

        long unsharedByte() {
            return UNSHARED_BASE + bit;
        }
    }

    /** How an image is opened, as QEMU permissions: what the opener holds, what it does not share. */
    public enum Mode {
        /** No lock: for a look at the file's metadata (its allocation) that reads no image data. */
        NONE(EnumSet.noneOf(Permission.class), EnumSet.noneOf(Permission.class)),
        /**
         * A read-only open (a backing file, a template, a check): reads consistent data, so nobody
         * may write or resize the image meanwhile; other readers are welcome, so several clones
         * share one backing file. What QEMU takes for a backing file.
         */
        SHARED_READER(EnumSet.of(Permission.CONSISTENT_READ), EnumSet.of(Permission.WRITE, Permission.RESIZE)),
        /**
         * A served, writable image: what a running QEMU guest holds on its disk. Nobody else may
         * write or resize it (so {@code qemu-io} and {@code qemu-img info} without {@code -U} are
         * refused); a forced-share reader ({@code qemu-img info -U}) still gets in.
         */
        EXCLUSIVE_WRITER(EnumSet.of(Permission.CONSISTENT_READ, Permission.WRITE, Permission.RESIZE),
                EnumSet.of(Permission.WRITE, Permission.RESIZE));

        private final Set<Permission> held;
        private final Set<Permission> unshared;

        Mode(Set<Permission> held, Set<Permission> unshared) {
            this.held = held;
            this.unshared = unshared;
        }

        /** The mode of an ordinary open: a shared reader when read-only, else the exclusive writer. */
        public static Mode of(boolean readOnly) {
            return readOnly ? SHARED_READER : EXCLUSIVE_WRITER;
        }
    }

    /** The image is in use by another process (QEMU, a second Platter) in a way that excludes this open. */
    public static final class InUse extends BlockDeviceException {
        public InUse(String message) {
            super(message);
        }
    }

    /**
     * Takes {@code mode}'s locks on {@code fd} (a descriptor of {@code image}) and checks that no
     * other open of the image conflicts. On failure the locks placed so far stay on {@code fd}:
     * the caller closes it, which drops them. A kernel or file system without OFD locks is logged
     * and leaves the image unlocked (as QEMU's locking=auto does on such a file system).
     *
     * @throws InUse when another open conflicts, naming the image and the permission
     * @throws BlockDeviceException when a lock call fails otherwise
     */
    public static void acquire(int fd, Path image, Mode mode) throws BlockDeviceException {
        if (mode == Mode.NONE) {
            return;
        }
        try {
            for (Permission p : mode.held) {
                place(fd, image, p.heldByte(), p);
            }
            for (Permission p : mode.unshared) {
                place(fd, image, p.unsharedByte(), p);
            }
            for (Permission p : mode.held) {
                if (!Libc.ofdLockFree(fd, Libc.F_WRLCK, p.unsharedByte(), 1)) {
                    throw inUse(image, "does not share the \"" + p.qemuName + "\" permission");
                }
            }
            for (Permission p : mode.unshared) {
                if (!Libc.ofdLockFree(fd, Libc.F_WRLCK, p.heldByte(), 1)) {
                    throw inUse(image, "holds the \"" + p.qemuName + "\" permission");
                }
            }
        } catch (Libc.ErrnoException e) {
            if (e.notSupported() || e.errno() == Libc.ENOLCK) {
                LOG.warn("{}: not locked ({}); nothing keeps QEMU or a second Platter from opening it", image,
                        e.getMessage());
                return;
            }
            throw IoErrors.map(image + ": lock", e);
        }
    }

    private static void place(int fd, Path image, long offset, Permission p) throws Libc.ErrnoException, InUse {
        if (!Libc.ofdLock(fd, Libc.F_RDLCK, offset, 1)) {
            // Only an exclusive lock refuses a shared one; QEMU takes none, but someone does.
            throw inUse(image, "holds an exclusive lock on byte " + offset + " (\"" + p.qemuName + "\")");
        }
    }

    private static InUse inUse(Path image, String why) {
        return new InUse("image " + image + " is in use by another process (QEMU or a second Platter), which " + why
                + "; stop that process first");
    }
}
