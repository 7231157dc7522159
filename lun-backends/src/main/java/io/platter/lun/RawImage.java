package io.platter.lun;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A raw image file: byte {@code n} of the device is byte {@code n} of the file. Thick images are
 * fully allocated at creation; thin images are sparse files whose discards punch holes.
 *
 * <p>Data moves with positional {@link FileChannel} I/O straight between the file and the
 * buffer's NIO views (no intermediate {@code byte[]}). The file, its libc descriptor, the
 * interrupt-safe I/O with reopen and the allocation primitives (punch hole, zero range,
 * SEEK_DATA, RWF_NOWAIT reads) are the shared {@link HostFile} layer, the same as under the qcow2
 * image; without libc those degrade to writing zeros and reporting everything mapped.
 *
 * <p>Thread-safe: positional I/O needs no lock; {@link #resize} and {@link #close} are
 * serialized on {@code this}.
 */
public final class RawImage implements BlockDevice {

    /** Punch-hole granularity: the largest common file-system block; edges are zeroed instead. */
    static final int PUNCH_ALIGNMENT = 4096;
    private static final int SECTOR = 512;

    private final Path file;
    private final boolean readOnly;
    private final boolean thin;
    /** Changes only in {@link #resize}; volatile so I/O threads see a new size at once. */
    private volatile long size;
    /** The file, its descriptor and the interrupt-safe I/O. */
    private final HostFile host;

    private RawImage(Path file, HostFile host, long size, boolean readOnly, boolean thin) {
        this.file = file;
        this.host = host;
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
        HostFile host = HostFile.openFile(file, readOnly, true);
        try {
            long length = host.io("size", FileChannel::size);
            if (length < SECTOR) {
                throw new BlockDeviceException("image " + file + " is " + length
                        + " bytes long, shorter than one 512-byte block");
            }
            // Thin unless st_blocks covers the whole length. (SEEK_HOLE cannot tell: ext4 and XFS
            // report preallocated, never-written extents as holes.) Without fstat, guesses thin.
            boolean isThin = thin != null ? thin : host.allocatedBytes(0) < length;
            return new RawImage(file, host, length - length % SECTOR, readOnly, isThin);
        } catch (IOException | RuntimeException e) {
            try {
                host.close();
            } catch (BlockDeviceException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
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
        return host.allocatedBytes(size);
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
                host.io("resize", ch -> {
                    ch.force(true);
                    return null;
                });
                size = newSize;
            } else if (newSize < size) {
                size = newSize;
                host.io("resize", ch -> {
                    ch.truncate(newSize);
                    ch.force(true);
                    return null;
                });
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

    /**
     * One aligned 4 KiB page. Any write from one contiguous buffer is one pwrite(2) (no metadata of
     * ours), so no other command sees part of it; but across a host crash the page cache may have
     * written back some pages of a longer write and not the others. A single aligned page is written
     * back as one file-system block, so that much stays untorn across a crash too, and a database
     * that skips its torn-page protection on the strength of the atomic limits (Linux 6.11+ reads
     * them from VPD B0h) is not misled.
     */
    @Override
    public int untornWriteBytes() {
        return UNTORN_BYTES;
    }

    /** See {@link #untornWriteBytes}. */
    static final int UNTORN_BYTES = 4096;

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
        host.io("read " + offset + "+" + length, ch -> readInto(ch, offset, length, dst, start));
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
        if (length == 0 || host.closed()) {
            return false;
        }
        checkRange(offset, length);
        return host.readIfCached(offset, length, dst);
    }

    private static Void readInto(FileChannel ch, long offset, int length, ByteBuf dst, int start) throws IOException {
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
        return null;
    }

    /** {@inheritDoc} Does not take ownership of {@code src}; its reader index is unchanged. */
    @Override
    public void write(long offset, ByteBuf src, boolean durable) throws BlockDeviceException {
        ensureWritable();
        int length = src.readableBytes();
        checkRange(offset, length);
        int start = src.readerIndex();
        host.io("write " + offset + "+" + length, ch -> {
            writeFrom(ch, offset, length, src, start);
            if (durable) {
                ch.force(false);
            }
            return null;
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
        host.io("flush", RawImage::force);
    }

    private static Void force(FileChannel ch) throws IOException {
        ch.force(false);
        return null;
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
        if (thin && alignedStart < alignedEnd && host.punchHole(alignedStart, alignedEnd - alignedStart)) {
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
        if (!thin && host.zeroRange(offset, length)) {
            return;
        }
        host.writeZeros(offset, length);
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
        if (!thin) {
            return all;
        }
        Extent known = host.dataExtentAt(offset, size);
        return known != null ? known : all;
    }

    /** Flushes (unless read-only), then closes the channel and the descriptor. Idempotent. */
    @Override
    public synchronized void close() throws BlockDeviceException {
        if (host.closed()) {
            return;
        }
        BlockDeviceException failure = null;
        if (!readOnly) {
            try {
                host.io("flush on close", RawImage::force);
            } catch (BlockDeviceException e) {
                failure = e;
            }
        }
        try {
            host.close();
        } catch (BlockDeviceException e) {
            failure = failure != null ? failure : e;
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void ensureOpen() throws BlockDeviceException {
        if (host.closed()) {
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
    int reopens() {
        return host.reopens();
    }

    @Override
    public String toString() {
        return "RawImage[" + file + ", " + size + " bytes, " + (thin ? "thin" : "thick")
                + (readOnly ? ", read-only" : "") + "]";
    }
}
