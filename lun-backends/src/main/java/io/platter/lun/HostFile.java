package io.platter.lun;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An image's host file: a {@link FileChannel} for positional data I/O and, when libc is there,
 * a descriptor of its own for what the JDK lacks (fallocate, SEEK_DATA, preadv2 RWF_NOWAIT,
 * st_blocks). The layer under the qcow2 image ({@code RawImage} keeps its own copy of the
 * same rules for now).
 *
 * <p>Interrupt safety: the JDK closes a FileChannel, for every thread, when one thread is
 * interrupted in (or entering) an I/O call on it. {@link #io} therefore clears a pending
 * interrupt for the duration of the call and restores it afterwards, and when the channel was
 * closed under a call anyway (an interrupt that landed mid-call, here or in another thread) it
 * reopens the channel on the same inode ({@code /proc/self/fd/N} through the libc descriptor, so
 * a rename does not matter) and retries; every operation passed in must be idempotent. An
 * interrupt thus never fails I/O, and the caller still sees its flag.
 *
 * <p>Thread-safe: positional I/O needs no lock; the channel is replaced under {@code this}.
 * The descriptor stays valid until {@link #close}; callers keep the file open while they use it.
 */
public final class HostFile implements AutoCloseable {

    private static final int RETRIES = 16;

    private final Path path;
    private final boolean readOnly;
    /** libc descriptor, -1 without one. */
    private final int fd;
    /** Replaced only under {@code this}, after an interrupt closed it. */
    private volatile FileChannel channel;
    private volatile boolean closed;
    /** Times the channel was reopened; guarded by {@code this}. */
    private int reopens;

    private HostFile(Path path, boolean readOnly, FileChannel channel, int fd) {
        this.path = path;
        this.readOnly = readOnly;
        this.channel = channel;
        this.fd = fd;
    }

    /**
     * Opens {@code path}; with {@code descriptor}, also a libc descriptor when libc is available
     * (without one the caller degrades: no hole punching, no cached reads).
     */
    public static HostFile open(Path path, boolean readOnly, boolean descriptor) throws BlockDeviceException {
        FileChannel ch;
        try {
            ch = openChannel(path, readOnly);
        } catch (IOException e) {
            throw IoErrors.map(path + ": open", e);
        }
        int fd = -1;
        if (descriptor && Libc.available()) {
            try {
                fd = Libc.open(path, readOnly);
            } catch (Libc.ErrnoException e) {
                fd = -1;
            }
        }
        return new HostFile(path, readOnly, ch, fd);
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
            channel = openChannel(fd >= 0 ? Path.of("/proc/self/fd/" + fd) : path, readOnly);
        } catch (IOException e) {
            throw IoErrors.map(path + ": reopen after interrupt", e);
        }
    }

    private void ensureOpen() throws BlockDeviceException {
        if (closed) {
            throw new BlockDeviceException(path + ": file is closed");
        }
    }

    /** How often an interrupt forced the channel to be reopened (tests, diagnostics). */
    public synchronized int reopens() {
        return reopens;
    }

    /** Closes the descriptor and the channel. Idempotent. */
    @Override
    public synchronized void close() throws BlockDeviceException {
        if (closed) {
            return;
        }
        closed = true;
        Libc.close(fd);
        try {
            channel.close();
        } catch (IOException e) {
            throw IoErrors.map(path + ": close", e);
        }
    }
}
