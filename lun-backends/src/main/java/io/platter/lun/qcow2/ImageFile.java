package io.platter.lun.qcow2;

import io.netty.buffer.ByteBuf;
import io.platter.lun.BlockDeviceException;
import io.platter.lun.HostFile;
import io.platter.lun.ImageLock;
import io.platter.lun.IoErrors;
import io.platter.lun.Libc;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The host file under a qcow2 image: positional I/O straight between the file and NIO views of
 * the caller's buffers, fdatasync barriers, and best-effort hole punching for freed clusters.
 * Thread-safe (positional I/O); every failure becomes a {@link BlockDeviceException}. Data I/O
 * goes through {@link HostFile#io}, so an interrupted caller (a management thread stopped at
 * shutdown, say) neither fails its I/O nor leaves the channel closed for everyone else: every
 * operation below is idempotent (positional, restarted from its first byte on a retry).
 */
final class ImageFile implements AutoCloseable {

    private final HostFile host;
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

    private ImageFile(HostFile host) {
        this.host = host;
    }

    static ImageFile open(Path path, boolean readOnly) throws BlockDeviceException {
        return open(path, readOnly, ImageLock.Mode.of(readOnly));
    }

    /** Opens {@code path} with the image lock {@code lock} ({@link HostFile}). */
    static ImageFile open(Path path, boolean readOnly, ImageLock.Mode lock) throws BlockDeviceException {
        // A read-only image needs no descriptor: it neither punches holes nor is served from the loop.
        return new ImageFile(HostFile.open(path, readOnly, !readOnly, lock));
    }

    Path path() {
        return host.path();
    }

    /** Installs the test hook; call before the image does any I/O through this file. */
    void observe(Observer o) {
        this.observer = o;
    }

    /** How often an interrupt forced the channel to be reopened (tests). */
    int reopens() {
        return host.reopens();
    }

    long length() throws BlockDeviceException {
        return host.io("size", FileChannel::size);
    }

    /** Fills {@code dst} from {@code pos}; bytes past the end of the file read as zeros. */
    void read(long pos, ByteBuffer dst) throws BlockDeviceException {
        int start = dst.position();
        host.io("read at " + pos, ch -> {
            ByteBuffer view = dst.duplicate().position(start);
            long at = pos;
            while (view.hasRemaining()) {
                int n = ch.read(view, at);
                if (n < 0) {
                    while (view.hasRemaining()) {
                        view.put((byte) 0);
                    }
                    break;
                }
                at += n;
            }
            return null;
        });
        dst.position(dst.limit());
    }

    /** Appends {@code length} bytes read at {@code pos} to {@code dst}. Does not take ownership of {@code dst}. */
    void readInto(long pos, int length, ByteBuf dst) throws BlockDeviceException {
        dst.ensureWritable(length);
        int start = dst.writerIndex();
        int done = host.io("read at " + pos, ch -> readFrom(ch, pos, length, dst, start));
        if (done < length) {
            dst.setZero(start + done, length - done);
        }
        dst.writerIndex(start + length);
    }

    private static int readFrom(FileChannel ch, long pos, int length, ByteBuf dst, int start) throws IOException {
        int done = 0;
        if (dst.nioBufferCount() < 0) {
            while (done < length) {
                int n = dst.setBytes(start + done, ch, pos + done, length - done);
                if (n < 0) {
                    break;
                }
                done += n;
            }
            return done;
        }
        for (ByteBuffer view : dst.nioBuffers(start, length)) {
            while (view.hasRemaining()) {
                int n = ch.read(view, pos + done);
                if (n < 0) {
                    return done;
                }
                done += n;
            }
        }
        return done;
    }

    void write(long pos, ByteBuffer src) throws BlockDeviceException {
        if (observer != null) {
            byte[] copy = new byte[src.remaining()];
            src.duplicate().get(copy);
            observer.wrote(pos, copy);
        }
        int start = src.position();
        host.io("write at " + pos, ch -> {
            ByteBuffer view = src.duplicate().position(start);
            long at = pos;
            while (view.hasRemaining()) {
                at += ch.write(view, at);
            }
            return null;
        });
        src.position(src.limit());
    }

    /** Writes {@code length} bytes of {@code src} from {@code index} at {@code pos}; indexes unchanged, no ownership taken. */
    void write(long pos, ByteBuf src, int index, int length) throws BlockDeviceException {
        if (observer != null) {
            byte[] copy = new byte[length];
            src.getBytes(index, copy);
            observer.wrote(pos, copy);
        }
        host.io("write at " + pos, ch -> {
            int done = 0;
            if (src.nioBufferCount() < 0) {
                while (done < length) {
                    done += src.getBytes(index + done, ch, pos + done, length - done);
                }
                return null;
            }
            for (ByteBuffer view : src.nioBuffers(index, length)) {
                while (view.hasRemaining()) {
                    done += ch.write(view, pos + done);
                }
            }
            return null;
        });
    }

    /** fdatasync: everything written so far is on stable storage. */
    void force() throws BlockDeviceException {
        if (observer != null) {
            observer.forcing();
        }
        host.io("flush", ch -> {
            ch.force(false);
            return null;
        });
    }

    /** Bytes the file system has allocated to the file (holes punched in freed clusters excluded), else its length. */
    long allocatedBytes() throws BlockDeviceException {
        if (host.fd() >= 0) {
            try {
                return Libc.allocatedBytes(host.fd());
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
        if (host.fd() < 0 || !noWaitReadWorks || !dst.hasMemoryAddress()) {
            return false;
        }
        try {
            return Libc.readNoWaitInto(host.fd(), pos, length, dst);
        } catch (Libc.ErrnoException e) {
            if (e.notSupported()) {
                noWaitReadWorks = false;
                return false;
            }
            throw IoErrors.map(host.path() + ": read " + pos + "+" + length, e);
        }
    }

    /** Gives a freed cluster's space back to the file system where it can; otherwise leaves it. */
    void punchHole(long pos, long length) {
        if (observer != null) {
            observer.punched(pos, length);
        }
        if (host.fd() < 0 || !punchWorks) {
            return;
        }
        try {
            Libc.fallocate(host.fd(), Libc.FALLOC_FL_PUNCH_HOLE | Libc.FALLOC_FL_KEEP_SIZE, pos, length);
        } catch (Libc.ErrnoException e) {
            punchWorks = false; // the data is unreferenced either way; only space is not returned
        }
    }

    @Override
    public void close() throws BlockDeviceException {
        host.close();
    }
}
