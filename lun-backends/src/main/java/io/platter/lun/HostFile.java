package io.platter.lun;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An image's host file: a {@link FileChannel} for positional data I/O and, when libc is there,
 * a descriptor of its own for what the JDK lacks (fallocate, SEEK_DATA, preadv2 RWF_NOWAIT,
 * st_blocks). The one layer under both image kinds ({@link RawImage} and the qcow2 image), so
 * both get the same robustness.
 *
 * <p>Interrupt safety: the JDK closes a FileChannel, for every thread, when one thread is
 * interrupted in (or entering) an I/O call on it. {@link #io} therefore clears a pending
 * interrupt for the duration of the call and restores it afterwards, and when the channel was
 * closed under a call anyway (an interrupt that landed mid-call, here or in another thread) it
 * reopens the channel on the same inode ({@code /proc/self/fd/N} through the libc descriptor, so
 * a rename does not matter) and retries; every operation passed in must be idempotent. An
 * interrupt thus never fails I/O, and the caller still sees its flag.
 *
 * <p>Allocation primitives ({@link #punchHole}, {@link #zeroRange}, {@link #dataExtentAt},
 * {@link #readIfCached}, {@link #allocatedBytes}) run on the libc descriptor and degrade when
 * there is none or the file system refuses the call (remembered, so the fallback is taken at
 * once the next time): the caller then writes zeros or reports everything mapped.
 *
 * <p>Image locks: every open takes the QEMU-compatible {@link ImageLock} of its mode on a libc
 * descriptor (the allocation descriptor, or one of its own), so QEMU, {@code platter image} and a
 * second Platter refuse an image that is served, and an image they use is refused here. That
 * descriptor is never reopened (an interrupt only closes the JDK channel, and the reopen goes
 * through {@code /proc/self/fd/N} beside it), so the lock holds from open to {@link #close}.
 *
 * <p>Thread-safe: positional I/O needs no lock; the channel is replaced under {@code this}.
 * The descriptor is guarded by {@code fdLock}, so {@link #close} cannot free it while a call
 * uses it (a reused descriptor number could punch holes in another file).
 */
public final class HostFile implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HostFile.class);
    private static final int RETRIES = 16;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20).asReadOnlyBuffer();

    private final Path path;
    private final boolean readOnly;
    /** libc descriptor, -1 without one; it holds the image lock when there is one. */
    private final int fd;
    /** A libc descriptor only for the image lock, when {@link #fd} is not wanted; else -1. */
    private final int lockFd;
    private final ReadWriteLock fdLock = new ReentrantReadWriteLock();
    private volatile boolean punchHoleWorks = true;
    private volatile boolean zeroRangeWorks = true;
    /** Cleared when the file system refuses RWF_NOWAIT reads; {@link #readIfCached} then declines. */
    private volatile boolean noWaitReadWorks = Libc.noWaitReadAvailable();
    /** Replaced only under {@code this}, after an interrupt closed it. */
    private volatile FileChannel channel;
    private volatile boolean closed;
    /** Times the channel was reopened; guarded by {@code this}. */
    private int reopens;

    private HostFile(Path path, boolean readOnly, FileChannel channel, int fd, int lockFd) {
        this.path = path;
        this.readOnly = readOnly;
        this.channel = channel;
        this.fd = fd;
        this.lockFd = lockFd;
    }

    /**
     * Opens {@code path} locked for its use ({@link ImageLock.Mode#of}: a shared reader when
     * read-only, else the exclusive writer); with {@code descriptor}, also a libc descriptor for
     * the allocation primitives when libc is available (without one the caller degrades: no hole
     * punching, no cached reads).
     *
     * @throws ImageLock.InUse when another process (QEMU, a second Platter) uses the image in a way
     *         this open excludes
     */
    public static HostFile open(Path path, boolean readOnly, boolean descriptor) throws BlockDeviceException {
        return open(path, readOnly, descriptor, ImageLock.Mode.of(readOnly));
    }

    /** As {@link #open(Path, boolean, boolean)} with the image lock {@code lock}. */
    public static HostFile open(Path path, boolean readOnly, boolean descriptor, ImageLock.Mode lock)
            throws BlockDeviceException {
        try {
            return openFile(path, readOnly, descriptor, lock);
        } catch (BlockDeviceException e) {
            throw e;
        } catch (IOException e) {
            throw IoErrors.map(path + ": open", e);
        }
    }

    /**
     * As {@link #open(Path, boolean, boolean)}, but a failed open keeps the JDK's exception
     * (NoSuchFileException, AccessDeniedException), for callers that tell those apart.
     */
    public static HostFile openFile(Path path, boolean readOnly, boolean descriptor) throws IOException {
        return openFile(path, readOnly, descriptor, ImageLock.Mode.of(readOnly));
    }

    private static HostFile openFile(Path path, boolean readOnly, boolean descriptor, ImageLock.Mode lock)
            throws IOException {
        FileChannel ch = openChannel(path, readOnly);
        int fd = -1;
        int lockFd = -1;
        try {
            if ((descriptor || lock != ImageLock.Mode.NONE) && Libc.available()) {
                try {
                    lockFd = Libc.open(path, readOnly);
                } catch (Libc.ErrnoException e) {
                    LOG.warn("{}: no libc descriptor, so no image lock, discard writes zeros and extents read as"
                            + " mapped: {}", path, e.getMessage());
                }
                fd = descriptor ? lockFd : -1;
            } else if (lock != ImageLock.Mode.NONE) {
                LOG.warn("{}: not locked (no libc); nothing keeps QEMU or a second Platter from opening it", path);
            }
            if (lockFd >= 0) {
                ImageLock.acquire(lockFd, path, lock);
            }
        } catch (IOException | RuntimeException e) {
            Libc.close(lockFd);
            try {
                ch.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return new HostFile(path, readOnly, ch, fd, fd >= 0 ? -1 : lockFd);
    }

    private static FileChannel openChannel(Path path, boolean readOnly) throws IOException {
        return readOnly ? FileChannel.open(path, StandardOpenOption.READ)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    public Path path() {
        return path;
    }

    /** The libc descriptor, -1 without one. */
    public int fd() {
        return fd;
    }

    /** Positional I/O on the channel; must be idempotent (it may run again after a reopen). */
    @FunctionalInterface
    public interface ChannelIo<T> {
        T run(FileChannel ch) throws IOException;
    }

    /**
     * Runs {@code op} on the current channel as the class comment says; {@code what} names the
     * operation in an error message. An I/O error becomes a {@link BlockDeviceException}.
     */
    public <T> T io(String what, ChannelIo<T> op) throws BlockDeviceException {
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 0; ; attempt++) {
                FileChannel ch = channel;
                try {
                    return op.run(ch);
                } catch (ClosedChannelException e) { // also ClosedByInterrupt and AsynchronousClose
                    interrupted |= Thread.interrupted();
                    ensureOpen();
                    if (attempt == RETRIES) {
                        throw new BlockDeviceException.MediumError(path + ": " + what + ": channel keeps closing", e);
                    }
                    reopen(ch);
                } catch (IOException e) {
                    throw IoErrors.map(path + ": " + what, e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private synchronized void reopen(FileChannel failed) throws BlockDeviceException {
        if (closed || channel != failed) {
            return;
        }
        reopens++;
        try {
            int same = fd >= 0 ? fd : lockFd; // a descriptor of this very inode, whatever renamed it
            channel = openChannel(same >= 0 ? Path.of("/proc/self/fd/" + same) : path, readOnly);
        } catch (IOException e) {
            throw IoErrors.map(path + ": reopen after interrupt", e);
        }
    }

    private void ensureOpen() throws BlockDeviceException {
        if (closed) {
            throw new BlockDeviceException(path + ": file is closed");
        }
    }

    /**
     * Punches a hole (FALLOC_FL_PUNCH_HOLE, keeping the size). Returns false when there is no
     * descriptor or the file system cannot; the caller then writes zeros.
     */
    public boolean punchHole(long offset, long length) throws BlockDeviceException {
        return fallocate(Libc.FALLOC_FL_PUNCH_HOLE | Libc.FALLOC_FL_KEEP_SIZE, offset, length);
    }

    /**
     * Zeros a range keeping its allocation (FALLOC_FL_ZERO_RANGE). Returns false when there is no
     * descriptor or the file system cannot; the caller then writes zeros.
     */
    public boolean zeroRange(long offset, long length) throws BlockDeviceException {
        return fallocate(Libc.FALLOC_FL_ZERO_RANGE | Libc.FALLOC_FL_KEEP_SIZE, offset, length);
    }

    private boolean fallocate(int mode, long offset, long length) throws BlockDeviceException {
        boolean punch = (mode & Libc.FALLOC_FL_PUNCH_HOLE) != 0;
        if (fd < 0 || !(punch ? punchHoleWorks : zeroRangeWorks)) {
            return false;
        }
        fdLock.readLock().lock();
        try {
            ensureOpen();
            Libc.fallocate(fd, mode, offset, length);
            return true;
        } catch (Libc.ErrnoException e) {
            if (!e.notSupported()) {
                throw IoErrors.map(path + ": discard " + offset + "+" + length, e);
            }
            LOG.info("{}: {} not supported here, writing zeros instead", path, punch ? "punch hole" : "zero range");
            if (punch) {
                punchHoleWorks = false;
            } else {
                zeroRangeWorks = false;
            }
            return false;
        } finally {
            fdLock.readLock().unlock();
        }
    }

    /** Writes {@code length} zero bytes at {@code offset} (through {@link #io}). */
    public void writeZeros(long offset, long length) throws BlockDeviceException {
        io("zero " + offset + "+" + length, ch -> {
            writeZeros(ch, offset, length);
            return null;
        });
    }

    /** Writes {@code length} zero bytes at {@code offset} of {@code ch} from a shared direct buffer of zeros. */
    static void writeZeros(FileChannel ch, long offset, long length) throws IOException {
        long done = 0;
        while (done < length) {
            ByteBuffer zeros = ZEROS.duplicate();
            zeros.limit((int) Math.min(zeros.capacity(), length - done));
            while (zeros.hasRemaining()) {
                done += ch.write(zeros, offset + done);
            }
        }
    }

    /**
     * The extent at {@code offset} of a file whose device size is {@code size}, from
     * SEEK_DATA/SEEK_HOLE; null when that cannot be known (no descriptor, not supported), and the
     * caller then reports the range mapped.
     */
    public BlockDevice.Extent dataExtentAt(long offset, long size) throws BlockDeviceException {
        if (fd < 0) {
            return null;
        }
        fdLock.readLock().lock();
        try {
            ensureOpen();
            long data = seek(offset, Libc.SEEK_DATA);
            if (data < 0) { // ENXIO: nothing but hole from offset to the end of the file
                return new BlockDevice.Extent(offset, size - offset, false);
            }
            if (data > offset) {
                return new BlockDevice.Extent(offset, Math.min(data, size) - offset, false);
            }
            long hole = seek(offset, Libc.SEEK_HOLE);
            return new BlockDevice.Extent(offset, (hole < 0 ? size : Math.min(hole, size)) - offset, true);
        } catch (Libc.ErrnoException e) {
            if (e.notSupported()) {
                return null;
            }
            throw IoErrors.map(path + ": extent at " + offset, e);
        } finally {
            fdLock.readLock().unlock();
        }
    }

    /** lseek on the libc descriptor; -1 for ENXIO. */
    private long seek(long offset, int whence) throws Libc.ErrnoException {
        try {
            return Libc.lseek(fd, offset, whence);
        } catch (Libc.ErrnoException e) {
            if (e.errno() == Libc.ENXIO) {
                return -1;
            }
            throw e;
        }
    }

    /**
     * One preadv2(2) with RWF_NOWAIT into {@code dst}'s memory at its writer index: true only when
     * the page cache held the whole range (the writer index is then advanced); otherwise {@code dst}
     * is as it was. Declines buffers without a memory address, calls racing {@link #close} (never
     * blocks), and every call once the file system has refused the flag. Does not take ownership
     * of {@code dst}.
     */
    public boolean readIfCached(long offset, int length, ByteBuf dst) throws BlockDeviceException {
        if (!noWaitReadWorks || fd < 0 || length == 0 || closed || !dst.hasMemoryAddress()) {
            return false;
        }
        if (!fdLock.readLock().tryLock()) {
            return false; // close() holds it
        }
        try {
            if (closed) {
                return false;
            }
            return Libc.readNoWaitInto(fd, offset, length, dst);
        } catch (Libc.ErrnoException e) {
            if (e.notSupported()) {
                LOG.info("{}: no RWF_NOWAIT reads here ({}); reads go to the I/O executor", path, e.getMessage());
                noWaitReadWorks = false;
                return false;
            }
            throw IoErrors.map(path + ": read " + offset + "+" + length, e);
        } finally {
            fdLock.readLock().unlock();
        }
    }

    /**
     * Bytes the file occupies on its file system (fstat(2) st_blocks); {@code fallback} without a
     * descriptor, after close, or when fstat fails.
     */
    public long allocatedBytes(long fallback) {
        if (fd < 0) {
            return fallback;
        }
        fdLock.readLock().lock();
        try {
            if (closed) {
                return fallback;
            }
            return Libc.allocatedBytes(fd);
        } catch (Libc.ErrnoException e) {
            LOG.debug("{}: fstat failed: {}", path, e.getMessage());
            return fallback;
        } finally {
            fdLock.readLock().unlock();
        }
    }

    /** Whether this file is closed. */
    public boolean closed() {
        return closed;
    }

    /** How often an interrupt forced the channel to be reopened (tests, diagnostics). */
    public synchronized int reopens() {
        return reopens;
    }

    /**
     * Closes the channel, then the descriptors; the last one closed drops the image lock, when
     * nothing of ours is open on the file any more. Idempotent.
     */
    @Override
    public synchronized void close() throws BlockDeviceException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            throw IoErrors.map(path + ": close", e);
        } finally {
            fdLock.writeLock().lock();
            try {
                Libc.close(fd);
            } finally {
                fdLock.writeLock().unlock();
            }
            Libc.close(lockFd);
        }
    }
}
