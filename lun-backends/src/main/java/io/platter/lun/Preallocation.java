package io.platter.lun;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Full allocation of a thick image: fallocate(2) mode 0, else posix_fallocate(3), else zeros. */
final class Preallocation {

    private static final Logger LOG = LoggerFactory.getLogger(Preallocation.class);

    private Preallocation() { }

    /** Bytes allocated per step, so that progress can be reported on large images. */
    static final long STEP = 256L << 20;

    /**
     * Allocates {@code size} bytes of {@code file} from offset 0, in steps of {@link #STEP}, and
     * makes it durable; {@code progress} receives the bytes allocated so far after each step.
     * Throws {@link BlockDeviceException.NoSpace} when the file system is full; the caller deletes
     * the file.
     */
    static void allocate(Path file, long size, LongConsumer progress) throws IOException {
        if (Libc.available() && allocateNatively(file, size, progress)) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            return;
        }
        LOG.info("{}: file system cannot preallocate, writing {} bytes of zeros", file, size);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (long done = 0; done < size; ) {
                long n = Math.min(STEP, size - done);
                try {
                    HostFile.writeZeros(ch, done, n);
                } catch (IOException e) {
                    throw IoErrors.map("preallocate " + size + " bytes", e);
                }
                done += n;
                progress.accept(done);
            }
            ch.force(true);
        }
    }

    /** Writes zeros over the first {@code size} bytes and forces them to disk. */
    static void writeZeros(FileChannel ch, long size) throws IOException {
        try {
            HostFile.writeZeros(ch, 0, size);
            ch.force(true);
        } catch (IOException e) {
            throw IoErrors.map("preallocate " + size + " bytes", e);
        }
    }

    /** Returns false when neither fallocate nor posix_fallocate is supported on this file system. */
    private static boolean allocateNatively(Path file, long size, LongConsumer progress) throws IOException {
        int fd = Libc.open(file, false);
        try {
            long done = 0;
            try {
                while (done < size) {
                    long n = Math.min(STEP, size - done);
                    Libc.fallocate(fd, 0, done, n);
                    done += n;
                    progress.accept(done);
                }
                return true;
            } catch (Libc.ErrnoException e) {
                if (!e.notSupported() || done > 0) {
                    throw IoErrors.map("preallocate " + file, e);
                }
            }
            try {
                while (done < size) {
                    long n = Math.min(STEP, size - done);
                    Libc.posixFallocate(fd, done, n);
                    done += n;
                    progress.accept(done);
                }
                return true;
            } catch (Libc.ErrnoException e) {
                if (!e.notSupported()) {
                    throw IoErrors.map("preallocate " + file, e);
                }
                return false;
            }
        } finally {
            Libc.close(fd);
        }
    }
}
