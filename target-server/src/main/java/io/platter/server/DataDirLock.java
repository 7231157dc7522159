package io.platter.server;

import io.platter.lun.Libc;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One daemon per data directory: an exclusive lock on {@code <data-dir>/.platter.lock}, held as
 * long as the daemon runs, with the holder's PID written in the file so that a second daemon can
 * say whom it met. Taken before any image is opened and before the API files are published.
 *
 * <p>The lock is an open file description lock (fcntl F_OFD_SETLK, write lock on the whole file),
 * not the JDK's {@link FileChannel#tryLock}: a process-associated POSIX lock would be dropped
 * when any other descriptor of the file in this JVM is closed, and could not be seen by a second
 * daemon in the same JVM (tests). The kernel drops it when the daemon dies, however it dies; the
 * file stays (removing a lock file races with the next daemon opening it) and only its PID is
 * stale until the next daemon overwrites it. Without libc the JDK's lock stands in.
 */
public final class DataDirLock implements AutoCloseable {

    public static final String LOCK_FILE = ".platter.lock";

    private final Path file;
    /** The libc descriptor holding the OFD lock, -1 with the JDK lock. */
    private final int fd;
    /** The JDK lock and its channel when libc is missing; else null. */
    private final FileLock jdkLock;
    private boolean closed;

    private DataDirLock(Path file, int fd, FileLock jdkLock) {
        this.file = file;
        this.fd = fd;
        this.jdkLock = jdkLock;
    }

    /** Another daemon holds the data directory. */
    public static final class HeldException extends IOException {
        public HeldException(String message) {
            super(message);
        }
    }

    /**
     * Takes the lock of {@code dataDir} (which must exist) and records this process's PID in it.
     *
     * @throws HeldException "data directory D is served by platter PID N" when another daemon holds it
     * @throws IOException when the lock file cannot be made, opened or written
     */
    public static DataDirLock acquire(Path dataDir) throws IOException {
        Path file = dataDir.resolve(LOCK_FILE);
        try {
            io.platter.lun.PrivateFiles.createFile(file); // 0600; a leftover from an earlier daemon is reused
        } catch (FileAlreadyExistsException reused) {
            // the usual case after the first start
        }
        DataDirLock lock = Libc.available() ? ofd(file) : jdk(file);
        try {
            lock.recordPid();
            return lock;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static DataDirLock ofd(Path file) throws IOException {
        int fd = Libc.open(file, false);
        try {
            if (!Libc.ofdLock(fd, Libc.F_WRLCK, 0, 0)) {
                throw held(file);
            }
            return new DataDirLock(file, fd, null);
        } catch (IOException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    private static DataDirLock jdk(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock l = ch.tryLock();
            if (l == null) {
                throw held(file);
            }
            return new DataDirLock(file, -1, l);
        } catch (OverlappingFileLockException e) {
            ch.close();
            throw held(file);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static HeldException held(Path file) {
        String pid = readPid(file);
        return new HeldException("data directory " + file.getParent() + " is served by platter "
                + (pid.isEmpty() ? "(its PID is not written yet)" : "PID " + pid)
                + "; stop that daemon first, or give this one another --data-dir");
    }

    /** The PID recorded in the lock file, empty when there is none or it cannot be read. */
    static String readPid(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(32);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // a PID and a newline at most
            }
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
            return text.matches("\\d{1,10}") ? text : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Replaces the file's contents with this process's PID, through a channel of its own. */
    private void recordPid() throws IOException {
        byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
        FileChannel ch = jdkLock != null ? jdkLock.channel() : FileChannel.open(file, StandardOpenOption.WRITE);
        try {
            ch.truncate(0);
            ByteBuffer b = ByteBuffer.wrap(pid);
            long at = 0;
            while (b.hasRemaining()) {
                at += ch.write(b, at);
            }
            ch.force(false);
        } finally {
            if (jdkLock == null) {
                ch.close(); // another open file description: closing it leaves the OFD lock alone
            }
        }
    }

    /** The lock file. */
    public Path file() {
        return file;
    }

    /** Releases the lock (the file and its PID stay). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (jdkLock != null) {
            try {
                jdkLock.channel().close(); // releases the lock
            } catch (IOException ignored) {
                // the lock goes with the process anyway
            }
        }
        Libc.close(fd);
    }
}
