package io.platter.lun;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A raw image file: byte {@code n} of the device is byte {@code n} of the file. Thick images are
 * fully allocated at creation; thin images are sparse files whose discards punch holes.
 *
 * <p>Data moves with positional {@link FileChannel} I/O straight between the file and the
 * buffer's NIO views (no intermediate {@code byte[]}). Allocation work (punch hole, zero range,
 * SEEK_DATA) goes through a second descriptor opened with {@link Libc#open}; without libc those
 * degrade to writing zeros and reporting everything mapped.
 *
 * <p>Thread-safe: positional I/O needs no lock. The JDK closes the shared channel when a thread
 * is interrupted inside an I/O call; the channel is then reopened (on the same inode via
 * {@code /proc/self/fd}) and the calls retried, so interrupts never fail I/O (the interrupt flag
 * is kept for the caller). The libc descriptor is guarded by {@code fdLock} so {@link #close()} cannot
 * free it while a call uses it (a reused descriptor number could punch holes in another file).
 */
public final class RawImage implements BlockDevice {

    private static final Logger LOG = LoggerFactory.getLogger(RawImage.class);

    /** Punch-hole granularity: the largest common file-system block; edges are zeroed instead. */
    static final int PUNCH_ALIGNMENT = 4096;
    private static final int SECTOR = 512;
    private static final int RETRIES = 16;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20).asReadOnlyBuffer();

    private final Path file;
    private final boolean readOnly;
    private final boolean thin;
    /** Changes only in {@link #resize}; volatile so I/O threads see a new size at once. */
    private volatile long size;
    /** Descriptor for fallocate/lseek; -1 without libc. Guarded by {@code fdLock}. */
    private final int fd;
    private final ReadWriteLock fdLock = new ReentrantReadWriteLock();
    /** Replaced only under {@code this}, after an interrupt closed it. */
    private volatile FileChannel channel;
    private volatile boolean closed;
    private volatile boolean punchHoleWorks = true;
    private volatile boolean zeroRangeWorks = true;
    /** Cleared when the file system refuses RWF_NOWAIT reads; {@link #readIfCached} then declines. */
    private volatile boolean noWaitReadWorks = Libc.noWaitReadAvailable();
    /** Times the channel was reopened after an interrupt closed it; guarded by {@code this}. */
    private int reopens;

    private RawImage(Path file, FileChannel channel, int fd, long size, boolean readOnly, boolean thin) {
        this.file = file;
        this.channel = channel;
        this.fd = fd;
        this.size = size;
        this.readOnly = readOnly;
        this.thin = thin;
    }

    /**
     * Creates a new image of {@code sizeBytes} (a positive multiple of 512) and opens it read-write.
     * Thin: a sparse file. Thick: fully allocated with fallocate(2), else posix_fallocate(3), else
     * by writing zeros. Fails without touching anything if {@code file} exists; on any later failure
     * the half-made file is deleted.
     *
     * @throws java.nio.file.FileAlreadyExistsException if the file exists
     * @throws BlockDeviceException.NoSpace if a thick image does not fit
     */
    public static RawImage create(Path file, long sizeBytes, boolean thick) throws IOException {
        return create(file, sizeBytes, thick, done -> { });
    }

    /** As {@link #create(Path, long, boolean)}; a thick allocation reports the bytes allocated so far to {@code progress}. */
    public static RawImage create(Path file, long sizeBytes, boolean thick, java.util.function.LongConsumer progress)
            throws IOException {
        if (sizeBytes <= 0 || sizeBytes % SECTOR != 0) {
            throw new IllegalArgumentException("image size must be a positive multiple of 512: " + sizeBytes);
        }
        PrivateFiles.createFile(file); // atomic create-new, 0600: an existing file is never touched
        try {
            if (thick) {
                Preallocation.allocate(file, sizeBytes, progress);
            } else {
                try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                    raf.setLength(sizeBytes);
                    raf.getChannel().force(true);
                }
            }
            Durable.syncParent(file);
            return open(file, false, !thick);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Opens an existing image, guessing its provisioning: thick if the file is fully allocated,
     * else thin. A thin image written end to end then opens as thick, so callers that
     * know the provisioning (the configuration does) should use {@link #open(Path, boolean, boolean)}.
     */
    public static RawImage open(Path file, boolean readOnly) throws IOException {
        return open(file, readOnly, null);
    }

    /**
     * Opens an existing image with known provisioning. The device size is the file length rounded
     * down to 512; a file shorter than 512 bytes is refused.
     */
    public static RawImage open(Path file, boolean readOnly, boolean thin) throws IOException {
        return open(file, readOnly, Boolean.valueOf(thin));
    }

    private static RawImage open(Path file, boolean readOnly, Boolean thin) throws IOException {
        FileChannel ch = readOnly
                ? FileChannel.open(file, StandardOpenOption.READ)
                : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        int fd = -1;
        try {
            long length = ch.size();
            if (length < SECTOR) {
                throw new BlockDeviceException("image " + file + " is " + length
                        + " bytes long, shorter than one 512-byte block");
            }
            fd = openDescriptor(file, readOnly);
            boolean isThin = thin != null ? thin : notFullyAllocated(fd, length);
            return new RawImage(file, ch, fd, length - length % SECTOR, readOnly, isThin);
        } catch (IOException | RuntimeException e) {
            Libc.close(fd);
            ch.close();
            throw e;
        }
    }

    private static int openDescriptor(Path file, boolean readOnly) {
        if (!Libc.available()) {
            return -1;
        }
        try {
            return Libc.open(file, readOnly);
        } catch (Libc.ErrnoException e) {
            LOG.warn("{}: no libc descriptor, discard writes zeros and extents read as mapped: {}",
                    file, e.getMessage());
            return -1;
        }
    }

    /**
     * Thin unless st_blocks covers the whole length. (SEEK_HOLE cannot tell: ext4 and XFS report
     * preallocated, never-written extents as holes.) Without fstat, guesses thin.
     */
    private static boolean notFullyAllocated(int fd, long length) {
        if (fd < 0) {
            return true;
        }
        try {
            return Libc.allocatedBytes(fd) < length;
        } catch (Libc.ErrnoException e) {
            return true;
        }
    }

    /** The image file this device was opened from. */
    public Path file() {
        return file;
    }

    /** Whether writes and discards are refused. */
    @Override
    public boolean readOnly() {
        return readOnly;
    }

    /** {@inheritDoc} From fstat(2) st_blocks; {@link #size()} without libc or after an error. */
    @Override
    public long allocatedBytes() {
        fdLock.readLock().lock();
        try {
            if (fd < 0 || closed) {
                return size;
            }
            return Libc.allocatedBytes(fd);
        } catch (Libc.ErrnoException e) {
            LOG.debug("{}: fstat failed: {}", file, e.getMessage());
            return size;
        } finally {
            fdLock.readLock().unlock();
        }
    }

    @Override
    public long size() {
        return size;
    }

    /**
     * {@inheritDoc} Growing extends the file (preallocating the new range of a thick image with
     * fallocate) before the new size is published; shrinking publishes the new size first, then
     * truncates.
     */
    @Override
    public synchronized void resize(long newSize) throws BlockDeviceException {
        if (readOnly) {
            throw new BlockDeviceException.ReadOnly(file + " is open read-only");
        }
        if (newSize <= 0 || newSize % SECTOR != 0) {
            throw new IllegalArgumentException("image size must be a positive multiple of 512: " + newSize);
        }
        try {
            if (newSize > size) {
                if (thin) {
                    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                        raf.setLength(newSize);
                    }
                } else {
                    Preallocation.allocate(file, newSize, done -> { });
                }
                channel.force(true);
                size = newSize;
            } else if (newSize < size) {
                size = newSize;
                channel.truncate(newSize);
                channel.force(true);
            }
        } catch (BlockDeviceException e) {
            throw e;
        } catch (IOException e) {
            throw IoErrors.map("resize " + file + " to " + newSize + " bytes", e);
        }
    }

    @Override
    public boolean thin() {
        return thin;
    }

    /** {@inheritDoc} Does not take ownership of {@code dst}. */
    @Override
    public void read(long offset, int length, ByteBuf dst) throws BlockDeviceException {
        ensureOpen();
        checkRange(offset, length);
        if (length == 0) {
            return;
        }
        dst.ensureWritable(length);
        int start = dst.writerIndex();
        io("read", offset, length, ch -> readInto(ch, offset, length, dst, start));
        dst.writerIndex(start + length);
    }

    /**
     * {@inheritDoc} One preadv2(2) with RWF_NOWAIT into {@code dst}'s memory: it succeeds only
     * when the page cache holds the whole range; a partial or refused read leaves {@code dst}
     * as it was and returns false. Declines buffers without a memory address, and every call once
     * the file system has refused the flag. Does not take ownership of {@code dst}.
     */
    @Override
    public boolean readIfCached(long offset, int length, ByteBuf dst) throws BlockDeviceException {
        if (!noWaitReadWorks || fd < 0 || length == 0 || closed || !dst.hasMemoryAddress()) {
            return false;
        }
        checkRange(offset, length);
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
                LOG.info("{}: no RWF_NOWAIT reads here ({}); reads go to the I/O executor", file, e.getMessage());
                noWaitReadWorks = false;
                return false;
            }
            throw IoErrors.map(file + ": read " + offset + "+" + length, e);
        } finally {
            fdLock.readLock().unlock();
        }
    }

    private static void readInto(FileChannel ch, long offset, int length, ByteBuf dst, int start) throws IOException {
        int done = 0;
        if (dst.nioBufferCount() < 0) { // no NIO view: let the buffer read from the channel itself
            while (done < length) {
                int n = dst.setBytes(start + done, ch, offset + done, length - done);
                if (n < 0) {
                    break;
                }
                done += n;
            }
        } else {
            views:
            for (ByteBuffer view : dst.nioBuffers(start, length)) {
                while (view.hasRemaining()) {
                    int n = ch.read(view, offset + done);
                    if (n < 0) {
                        break views;
                    }
                    done += n;
                }
            }
        }
        if (done < length) { // past the end of a short file: zeros
            dst.setZero(start + done, length - done);
        }
    }

    /** {@inheritDoc} Does not take ownership of {@code src}; its reader index is unchanged. */
    @Override
    public void write(long offset, ByteBuf src, boolean durable) throws BlockDeviceException {
        ensureWritable();
        int length = src.readableBytes();
        checkRange(offset, length);
        int start = src.readerIndex();
        io("write", offset, length, ch -> {
            writeFrom(ch, offset, length, src, start);
            if (durable) {
                ch.force(false);
            }
        });
    }

    private static void writeFrom(FileChannel ch, long offset, int length, ByteBuf src, int start) throws IOException {
        int done = 0;
        if (src.nioBufferCount() < 0) {
            while (done < length) {
                done += src.getBytes(start + done, ch, offset + done, length - done);
            }
            return;
        }
        for (ByteBuffer view : src.nioBuffers(start, length)) {
            while (view.hasRemaining()) {
                done += ch.write(view, offset + done);
            }
        }
    }

    @Override
    public void flush() throws BlockDeviceException {
        ensureOpen();
        io("flush", 0, 0, ch -> ch.force(false));
    }

    /**
     * {@inheritDoc} Thin: punches a hole over the 4 KiB-aligned middle and zeros the unaligned
     * edges. Thick: zeros the range keeping its allocation (FALLOC_FL_ZERO_RANGE, else writes).
     */
    @Override
    public void discard(long offset, long length) throws BlockDeviceException {
        ensureWritable();
        checkRange(offset, length);
        if (length == 0) {
            return;
        }
        long end = offset + length;
        long alignedStart = (offset + PUNCH_ALIGNMENT - 1) / PUNCH_ALIGNMENT * PUNCH_ALIGNMENT;
        long alignedEnd = end / PUNCH_ALIGNMENT * PUNCH_ALIGNMENT;
        if (thin && alignedStart < alignedEnd
                && fallocate(Libc.FALLOC_FL_PUNCH_HOLE | Libc.FALLOC_FL_KEEP_SIZE, alignedStart,
                        alignedEnd - alignedStart)) {
            zero(offset, alignedStart - offset);
            zero(alignedEnd, end - alignedEnd);
        } else {
            zero(offset, length);
        }
    }

    private void zero(long offset, long length) throws BlockDeviceException {
        if (length == 0) {
            return;
        }
        if (!thin && fallocate(Libc.FALLOC_FL_ZERO_RANGE | Libc.FALLOC_FL_KEEP_SIZE, offset, length)) {
            return;
        }
        io("zero", offset, length, ch -> writeZeros(ch, offset, length));
    }

    /** Writes {@code length} zero bytes at {@code offset} from a shared direct buffer of zeros. */
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
     * Runs fallocate(2) with {@code mode} on the libc descriptor. Returns false when the
     * descriptor or the mode is unavailable (remembered, so the fallback is taken directly next time).
     */
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
                throw IoErrors.map(file + ": discard " + offset + "+" + length, e);
            }
            LOG.info("{}: {} not supported here, writing zeros instead", file, punch ? "punch hole" : "zero range");
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

    /**
     * {@inheritDoc} Thin images ask the file system (SEEK_DATA/SEEK_HOLE); thick images, and thin
     * ones without libc, report everything mapped.
     */
    @Override
    public Extent extentAt(long offset) throws BlockDeviceException {
        ensureOpen();
        if (offset < 0 || offset >= size) {
            throw new BlockDeviceException.OutOfRange(offset, 1, size);
        }
        Extent all = new Extent(offset, size - offset, true);
        if (!thin || fd < 0) {
            return all;
        }
        fdLock.readLock().lock();
        try {
            ensureOpen();
            long data = seek(offset, Libc.SEEK_DATA);
            if (data < 0) { // ENXIO: nothing but hole from offset to the end of the file
                return new Extent(offset, size - offset, false);
            }
            if (data > offset) {
                return new Extent(offset, Math.min(data, size) - offset, false);
            }
            long hole = seek(offset, Libc.SEEK_HOLE);
            return new Extent(offset, (hole < 0 ? size : Math.min(hole, size)) - offset, true);
        } catch (Libc.ErrnoException e) {
            if (e.notSupported()) {
                return all;
            }
            throw IoErrors.map(file + ": extent at " + offset, e);
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

    /** Flushes (unless read-only), then closes the channel and the descriptor. Idempotent. */
    @Override
    public void close() throws BlockDeviceException {
        synchronized (this) {
            if (closed) {
                return;
            }
            BlockDeviceException failure = null;
            if (!readOnly) {
                try {
                    io("flush on close", 0, 0, ch -> ch.force(false));
                } catch (BlockDeviceException e) {
                    failure = e;
                }
            }
            closed = true;
            fdLock.writeLock().lock();
            try {
                Libc.close(fd);
            } finally {
                fdLock.writeLock().unlock();
            }
            try {
                channel.close();
            } catch (IOException e) {
                failure = failure != null ? failure : IoErrors.map(file + ": close", e);
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    @FunctionalInterface
    private interface ChannelIo {
        void run(FileChannel ch) throws IOException;
    }

    /**
     * Runs {@code op} on the current channel. The JDK closes a FileChannel for every thread when
     * one thread is interrupted in (or entering) an I/O call, so a pending interrupt is cleared for
     * the duration and restored afterwards, and if the channel is closed under a call anyway (an
     * interrupt landed mid-call, here or in another thread) it is reopened and the call retried;
     * every op here is idempotent. An interrupt thus never fails I/O; the caller still sees the flag.
     */
    private void io(String what, long offset, long length, ChannelIo op) throws BlockDeviceException {
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 0; ; attempt++) {
                FileChannel ch = channel;
                try {
                    op.run(ch);
                    return;
                } catch (ClosedChannelException e) { // also ClosedByInterrupt/AsynchronousClose
                    interrupted |= Thread.interrupted();
                    ensureOpen();
                    if (attempt == RETRIES) {
                        throw new BlockDeviceException.MediumError(file + ": " + what + ": channel keeps closing", e);
                    }
                    reopen(ch);
                } catch (IOException e) {
                    throw IoErrors.map(file + ": " + what + " " + offset + "+" + length, e);
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
        // Through the descriptor when there is one: the image may have been renamed meanwhile.
        Path path = fd >= 0 ? Path.of("/proc/self/fd/" + fd) : file;
        try {
            channel = readOnly
                    ? FileChannel.open(path, StandardOpenOption.READ)
                    : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw IoErrors.map(file + ": reopen after interrupt", e);
        }
    }

    private void ensureOpen() throws BlockDeviceException {
        if (closed) {
            throw new BlockDeviceException(file + ": device is closed");
        }
    }

    private void ensureWritable() throws BlockDeviceException {
        ensureOpen();
        if (readOnly) {
            throw new BlockDeviceException.ReadOnly(file + " is open read-only");
        }
    }

    private void checkRange(long offset, long length) throws BlockDeviceException.OutOfRange {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new BlockDeviceException.OutOfRange(offset, length, size);
        }
    }

    /** How often an interrupt forced the channel to be reopened (for tests and diagnostics). */
    synchronized int reopens() {
        return reopens;
    }

    @Override
    public String toString() {
        return "RawImage[" + file + ", " + size + " bytes, " + (thin ? "thin" : "thick")
                + (readOnly ? ", read-only" : "") + "]";
    }
}
