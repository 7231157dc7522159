package io.platter.lun.qcow2;

import io.netty.buffer.ByteBuf;
import io.platter.lun.BlockDeviceException;
import io.platter.lun.IoErrors;
import io.platter.lun.Libc;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The host file under a qcow2 image: positional I/O straight between the file and NIO views of
 * the caller's buffers, fdatasync barriers, and best-effort hole punching for freed clusters.
 * Thread-safe (positional I/O); every failure becomes a {@link BlockDeviceException}.
 */
final class ImageFile implements AutoCloseable {

    private final Path path;
    private final FileChannel ch;
    /** libc descriptor for punching holes, -1 without one. */
    private final int fd;
    private volatile boolean punchWorks = true;
    /** Cleared when the file system refuses RWF_NOWAIT reads. */
    private volatile boolean noWaitReadWorks = Libc.noWaitReadAvailable();
    /** Test hook (crash simulation); null in production. Set before any I/O, never changed after. */
    private Observer observer;

    /** Sees every write, hole punch and barrier as it is issued (for crash simulation in tests). */
    interface Observer {
        /** {@code data} is a copy the observer may keep. */
        void wrote(long pos, byte[] data);

        void punched(long pos, long length);

        /** Called before the barrier: a crash now may keep any subset of the writes since the last one. */
        void forcing();
    }

    private ImageFile(Path path, FileChannel ch, int fd) {
        this.path = path;
        this.ch = ch;
        this.fd = fd;
    }

    static ImageFile open(Path path, boolean readOnly) throws BlockDeviceException {
        try {
            FileChannel ch = readOnly
                    ? FileChannel.open(path, StandardOpenOption.READ)
                    : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            int fd = -1;
            if (!readOnly && Libc.available()) {
                try {
                    fd = Libc.open(path, false);
                } catch (Libc.ErrnoException e) {
                    fd = -1;
                }
            }
            return new ImageFile(path, ch, fd);
        } catch (IOException e) {
            throw IoErrors.map(path + ": open", e);
        }
    }

    Path path() {
        return path;
    }

    /** Installs the test hook; call before the image does any I/O through this file. */
    void observe(Observer o) {
        this.observer = o;
    }

    long length() throws BlockDeviceException {
        try {
            return ch.size();
        } catch (IOException e) {
            throw IoErrors.map(path + ": size", e);
        }
    }

    /** Fills {@code dst} from {@code pos}; bytes past the end of the file read as zeros. */
    void read(long pos, ByteBuffer dst) throws BlockDeviceException {
        try {
            while (dst.hasRemaining()) {
                int n = ch.read(dst, pos);
                if (n < 0) {
                    while (dst.hasRemaining()) {
                        dst.put((byte) 0);
                    }
                    return;
                }
                pos += n;
            }
        } catch (IOException e) {
            throw IoErrors.map(path + ": read at " + pos, e);
        }
    }

    /** Appends {@code length} bytes read at {@code pos} to {@code dst}. Does not take ownership of {@code dst}. */
    void readInto(long pos, int length, ByteBuf dst) throws BlockDeviceException {
        dst.ensureWritable(length);
        int start = dst.writerIndex();
        int done = 0;
        try {
            if (dst.nioBufferCount() < 0) {
                while (done < length) {
                    int n = dst.setBytes(start + done, ch, pos + done, length - done);
                    if (n < 0) {
                        break;
                    }
                    done += n;
                }
            } else {
                views:
                for (ByteBuffer view : dst.nioBuffers(start, length)) {
                    while (view.hasRemaining()) {
                        int n = ch.read(view, pos + done);
                        if (n < 0) {
                            break views;
                        }
                        done += n;
                    }
                }
            }
        } catch (IOException e) {
            throw IoErrors.map(path + ": read at " + pos, e);
        }
        if (done < length) {
            dst.setZero(start + done, length - done);
        }
        dst.writerIndex(start + length);
    }

    void write(long pos, ByteBuffer src) throws BlockDeviceException {
        if (observer != null) {
            byte[] copy = new byte[src.remaining()];
            src.duplicate().get(copy);
            observer.wrote(pos, copy);
        }
        try {
            while (src.hasRemaining()) {
                pos += ch.write(src, pos);
            }
        } catch (IOException e) {
            throw IoErrors.map(path + ": write at " + pos, e);
        }
    }

    /** Writes {@code length} bytes of {@code src} from {@code index} at {@code pos}; indexes unchanged, no ownership taken. */
    void write(long pos, ByteBuf src, int index, int length) throws BlockDeviceException {
        if (observer != null) {
            byte[] copy = new byte[length];
            src.getBytes(index, copy);
            observer.wrote(pos, copy);
        }
        int done = 0;
        try {
            if (src.nioBufferCount() < 0) {
                while (done < length) {
                    done += src.getBytes(index + done, ch, pos + done, length - done);
                }
                return;
            }
            for (ByteBuffer view : src.nioBuffers(index, length)) {
                while (view.hasRemaining()) {
                    done += ch.write(view, pos + done);
                }
            }
        } catch (IOException e) {
            throw IoErrors.map(path + ": write at " + pos, e);
        }
    }

    /** fdatasync: everything written so far is on stable storage. */
    void force() throws BlockDeviceException {
        if (observer != null) {
            observer.forcing();
        }
        try {
            ch.force(false);
        } catch (IOException e) {
            throw IoErrors.map(path + ": flush", e);
        }
    }

    /** Bytes the file system has allocated to the file (holes punched in freed clusters excluded), else its length. */
    long allocatedBytes() throws BlockDeviceException {
        if (fd >= 0) {
            try {
                return Libc.allocatedBytes(fd);
            } catch (Libc.ErrnoException e) {
                // fall back to the length
            }
        }
        return length();
    }

    /**
     * Reads {@code length} bytes at {@code pos} into {@code dst} only if the page cache holds them
     * (RWF_NOWAIT, never waits); false, with {@code dst} unchanged, otherwise or without a libc
     * descriptor. The caller keeps the file open meanwhile (Qcow2Image's lock).
     */
    boolean readIfCached(long pos, int length, ByteBuf dst) throws BlockDeviceException {
        if (fd < 0 || !noWaitReadWorks || !dst.hasMemoryAddress()) {
            return false;
        }
        try {
            return Libc.readNoWaitInto(fd, pos, length, dst);
        } catch (Libc.ErrnoException e) {
            if (e.notSupported()) {
                noWaitReadWorks = false;
                return false;
            }
            throw IoErrors.map(path + ": read " + pos + "+" + length, e);
        }
    }

    /** Gives a freed cluster's space back to the file system where it can; otherwise leaves it. */
    void punchHole(long pos, long length) {
        if (observer != null) {
            observer.punched(pos, length);
        }
        if (fd < 0 || !punchWorks) {
            return;
        }
        try {
            Libc.fallocate(fd, Libc.FALLOC_FL_PUNCH_HOLE | Libc.FALLOC_FL_KEEP_SIZE, pos, length);
        } catch (Libc.ErrnoException e) {
            punchWorks = false; // the data is unreferenced either way; only space is not returned
        }
    }

    @Override
    public void close() throws BlockDeviceException {
        Libc.close(fd);
        try {
            ch.close();
        } catch (IOException e) {
            throw IoErrors.map(path + ": close", e);
        }
    }
}
