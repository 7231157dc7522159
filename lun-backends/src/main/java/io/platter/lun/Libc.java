package io.platter.lun;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few Linux libc calls the JDK does not expose: fallocate(2), posix_fallocate(3), open(2),
 * close(2), lseek(2) with SEEK_DATA/SEEK_HOLE, fstat(2) for st_blocks, fcntl(2) open file
 * description locks, bound with JNA; and
 * preadv2(2) with RWF_NOWAIT, bound by JNA direct mapping (no per-call allocation) because it
 * runs once per small read on the data path.
 *
 * <p>Only bound on 64-bit Linux (where {@code off_t} is a Java {@code long}); elsewhere, or when
 * libc cannot be loaded, {@link #available()} is false and callers take their portable fallbacks.
 * The constants are the Linux generic values shared by x86-64, arm64, riscv64 and ppc64.
 * Thread-safe: every method is a plain system call.
 */
public final class Libc {

    private static final Logger LOG = LoggerFactory.getLogger(Libc.class);

    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_CLOEXEC = 0x80000;

    /** fallocate(2) mode bits (linux/falloc.h). */
    public static final int FALLOC_FL_KEEP_SIZE = 0x01;
    public static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    public static final int FALLOC_FL_ZERO_RANGE = 0x10;

    /** lseek(2) whence values for sparse files. */
    public static final int SEEK_DATA = 3;
    public static final int SEEK_HOLE = 4;

    public static final int EINTR = 4;
    public static final int EACCES = 13;
    public static final int ENOLCK = 37;
    public static final int EAGAIN = 11;
    public static final int ENXIO = 6;
    public static final int EINVAL = 22;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int ENOSYS = 38;
    public static final int EOPNOTSUPP = 95;
    public static final int EDQUOT = 122;

    /** The raw binding; methods declaring LastErrorException throw it when errno is set. */
    private interface C extends Library {
        int open(String path, int flags, int mode) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        int fallocate(int fd, int mode, long offset, long length) throws LastErrorException;

        /** Returns an error number instead of setting errno. */
        int posix_fallocate(int fd, long offset, long length);

        long lseek(int fd, long offset, int whence) throws LastErrorException;

        String strerror(int errnum);

        /** An exported symbol from glibc 2.33 on; older libcs throw UnsatisfiedLinkError. */
        int fstat(int fd, Pointer buf) throws LastErrorException;

        /** fcntl(2) with a pointer argument (struct flock for the lock commands). */
        int fcntl(int fd, int cmd, Pointer arg) throws LastErrorException;
    }

    /** Offset of st_blocks in struct stat: the same on x86-64 and the generic 64-bit layout. */
    private static final int ST_BLOCKS_OFFSET = 64;
    private static final int STAT_BUFFER = 256;
    private static final boolean STAT_LAYOUT_KNOWN =
            List.of("x86-64", "aarch64", "riscv64", "loongarch64").contains(Platform.ARCH);

    private static final C C_LIB = load();

    private Libc() { }

    private static C load() {
        if (!Platform.isLinux() || Native.LONG_SIZE != 8) {
            LOG.info("libc binding disabled (not 64-bit Linux); using portable fallbacks");
            return null;
        }
        try {
            return Native.load(Platform.C_LIBRARY_NAME, C.class);
        } catch (LinkageError | RuntimeException e) {
            LOG.warn("cannot load libc through JNA; using portable fallbacks", e);
            return null;
        }
    }

    /** Whether the binding loaded; when false every other method throws {@link ErrnoException} with ENOSYS. */
    public static boolean available() {
        return C_LIB != null;
    }

    /** Opens {@code file} (never creating it) with O_CLOEXEC; returns the file descriptor. */
    public static int open(Path file, boolean readOnly) throws ErrnoException {
        C c = require("open");
        int flags = (readOnly ? O_RDONLY : O_RDWR) | O_CLOEXEC;
        while (true) {
            try {
                return c.open(file.toString(), flags, 0);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw new ErrnoException("open " + file, e.getErrorCode());
                }
            }
        }
    }

    /** Closes {@code fd}; errors are logged, not thrown (the descriptor is gone either way on Linux). */
    public static void close(int fd) {
        if (C_LIB == null || fd < 0) {
            return;
        }
        try {
            C_LIB.close(fd);
        } catch (LastErrorException e) {
            LOG.warn("close({}) failed: {}", fd, strerror(e.getErrorCode()));
        }
    }

    /** fallocate(2), retried on EINTR. */
    public static void fallocate(int fd, int mode, long offset, long length) throws ErrnoException {
        C c = require("fallocate");
        while (true) {
            try {
                c.fallocate(fd, mode, offset, length);
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw new ErrnoException("fallocate(mode=" + mode + ", " + offset + "+" + length + ")",
                            e.getErrorCode());
                }
            }
        }
    }

    /** posix_fallocate(3): glibc emulates it by writing when the file system cannot allocate. */
    public static void posixFallocate(int fd, long offset, long length) throws ErrnoException {
        C c = require("posix_fallocate");
        int err;
        do {
            err = c.posix_fallocate(fd, offset, length);
        } while (err == EINTR);
        if (err != 0) {
            throw new ErrnoException("posix_fallocate(" + offset + "+" + length + ")", err);
        }
    }

    /** lseek(2); ENXIO from SEEK_DATA/SEEK_HOLE means "no such region after offset". */
    public static long lseek(int fd, long offset, int whence) throws ErrnoException {
        C c = require("lseek");
        try {
            return c.lseek(fd, offset, whence);
        } catch (LastErrorException e) {
            throw new ErrnoException("lseek(" + offset + ", whence=" + whence + ")", e.getErrorCode());
        }
    }

    /** preadv2(2) flag: fail with EAGAIN instead of waiting for storage (linux/fs.h). */
    public static final int RWF_NOWAIT = 0x08;
    private static final int IOVEC_SIZE = 16;

    /** preadv2(2) by direct mapping; {@code long} stands for the pointer and ssize_t (LP64 only). */
    private static final class Direct {
        static native long preadv2(int fd, long iov, int iovcnt, long offset, int flags);
    }

    private static final boolean PREADV2 = C_LIB != null && registerDirect();
    /** One iovec per thread, in native memory that lives as long as the thread. */
    private static final ThreadLocal<Memory> IOVEC = ThreadLocal.withInitial(() -> new Memory(IOVEC_SIZE));

    private static boolean registerDirect() {
        try {
            Native.register(Direct.class, Platform.C_LIBRARY_NAME);
            return true;
        } catch (LinkageError | RuntimeException e) {
            LOG.info("preadv2 not bound ({}); every read goes to the I/O executor", e.toString());
            return false;
        }
    }

    /** Whether {@link #readNoWait} can be called at all. */
    public static boolean noWaitReadAvailable() {
        return PREADV2;
    }

    /**
     * preadv2(2) of {@code length} bytes at file {@code offset} into native memory at
     * {@code address}, with RWF_NOWAIT: it returns what the page cache holds without waiting for
     * storage. Returns the bytes read (possibly fewer than asked, 0 at end of file), or -1 when
     * nothing could be read without waiting (EAGAIN). Retried on EINTR.
     *
     * @throws ErrnoException for any other error (EOPNOTSUPP: the file system cannot do it)
     */
    public static long readNoWait(int fd, long address, int length, long offset) throws ErrnoException {
        if (!PREADV2) {
            throw new ErrnoException("preadv2 (not bound)", ENOSYS);
        }
        Memory iov = IOVEC.get();
        iov.setLong(0, address);
        iov.setLong(8, length);
        long iovAddress = Pointer.nativeValue(iov);
        while (true) {
            long n = Direct.preadv2(fd, iovAddress, 1, offset, RWF_NOWAIT);
            if (n >= 0) {
                return n;
            }
            int errno = Native.getLastError();
            if (errno == EAGAIN) {
                return -1;
            }
            if (errno != EINTR) {
                throw new ErrnoException("preadv2(RWF_NOWAIT, " + offset + "+" + length + ")", errno);
            }
        }
    }

    /**
     * {@link #readNoWait} of {@code length} bytes into {@code dst} (which must have a memory
     * address) at its writer index: true, with the index moved, when the page cache held them all;
     * false, with {@code dst} unchanged, when some would have to wait for storage.
     */
    public static boolean readNoWaitInto(int fd, long offset, int length, ByteBuf dst) throws ErrnoException {
        dst.ensureWritable(length);
        int start = dst.writerIndex();
        if (readNoWait(fd, dst.memoryAddress() + start, length, offset) != length) {
            return false; // not all cached, or past the end of a short file: a blocking read handles both
        }
        dst.writerIndex(start + length);
        return true;
    }

    /** Bytes allocated to the open file {@code fd} (st_blocks * 512), from fstat(2). */
    public static long allocatedBytes(int fd) throws ErrnoException {
        C c = require("fstat");
        if (!STAT_LAYOUT_KNOWN) {
            throw new ErrnoException("fstat (struct stat layout unknown on " + Platform.ARCH + ")", ENOSYS);
        }
        try (Memory buf = new Memory(STAT_BUFFER)) {
            c.fstat(fd, buf);
            return buf.getLong(ST_BLOCKS_OFFSET) * 512;
        } catch (LastErrorException e) {
            throw new ErrnoException("fstat", e.getErrorCode());
        } catch (UnsatisfiedLinkError e) {
            throw new ErrnoException("fstat (not exported by this libc)", ENOSYS);
        }
    }

    /** fcntl(2) commands for open file description locks (Linux 3.15 on; asm-generic/fcntl.h). */
    public static final int F_OFD_GETLK = 36;
    public static final int F_OFD_SETLK = 37;
    /** struct flock l_type values. */
    public static final short F_RDLCK = 0;
    public static final short F_WRLCK = 1;
    public static final short F_UNLCK = 2;
    /*
     * struct flock on 64-bit Linux (the generic layout, x86-64 and arm64 alike): short l_type @0,
     * short l_whence @2, off_t l_start @8, off_t l_len @16, pid_t l_pid @24; 32 bytes.
     */
    private static final int FLOCK_SIZE = 32;
    private static final int L_START = 8;
    private static final int L_LEN = 16;
    private static final int L_PID = 24;

    /**
     * Places an open file description lock of {@code type} ({@link #F_RDLCK}, {@link #F_WRLCK} or
     * {@link #F_UNLCK}) on {@code length} bytes at {@code start} (0: to the end of any file) with
     * F_OFD_SETLK, never waiting. The lock belongs to the open file description of {@code fd}: a
     * second open of the file, even in this process, conflicts with it, and it goes away when the
     * last descriptor of that description is closed.
     *
     * @return false when another open file description holds a conflicting lock (EAGAIN, EACCES)
     * @throws ErrnoException for any other error (EINVAL: the kernel has no OFD locks)
     */
    public static boolean ofdLock(int fd, short type, long start, long length) throws ErrnoException {
        try (Memory flock = flock(type, start, length)) {
            return fcntlLock(fd, F_OFD_SETLK, flock, start);
        }
    }

    /**
     * Whether a lock of {@code type} on {@code length} bytes at {@code start} could be placed now
     * (F_OFD_GETLK): false when another open file description holds a conflicting lock. Locks of
     * {@code fd}'s own description never conflict.
     */
    public static boolean ofdLockFree(int fd, short type, long start, long length) throws ErrnoException {
        try (Memory flock = flock(type, start, length)) {
            fcntlLock(fd, F_OFD_GETLK, flock, start);
            return flock.getShort(0) == F_UNLCK;
        }
    }

    private static Memory flock(short type, long start, long length) throws ErrnoException {
        if (!STAT_LAYOUT_KNOWN) {
            throw new ErrnoException("fcntl (struct flock layout unknown on " + Platform.ARCH + ")", ENOSYS);
        }
        Memory flock = new Memory(FLOCK_SIZE);
        flock.clear();
        flock.setShort(0, type);
        flock.setShort(2, (short) 0); // SEEK_SET
        flock.setLong(L_START, start);
        flock.setLong(L_LEN, length);
        flock.setInt(L_PID, 0);       // must be 0 for OFD locks
        return flock;
    }

    /** One fcntl lock call, retried on EINTR; false on EAGAIN/EACCES (a conflicting lock). */
    private static boolean fcntlLock(int fd, int cmd, Memory flock, long start) throws ErrnoException {
        C c = require("fcntl");
        while (true) {
            try {
                c.fcntl(fd, cmd, flock);
                return true;
            } catch (LastErrorException e) {
                int errno = e.getErrorCode();
                if (errno == EAGAIN || errno == EACCES) {
                    return false;
                }
                if (errno != EINTR) {
                    throw new ErrnoException("fcntl(" + (cmd == F_OFD_SETLK ? "F_OFD_SETLK" : "F_OFD_GETLK")
                            + ", byte " + start + ")", errno);
                }
            }
        }
    }

    /** The C library's text for an error number (or just the number without the binding). */
    public static String strerror(int errno) {
        if (C_LIB != null) {
            try {
                return C_LIB.strerror(errno);
            } catch (RuntimeException e) {
                // fall through to the bare number
            }
        }
        return "errno " + errno;
    }

    private static C require(String call) throws ErrnoException {
        if (C_LIB == null) {
            throw new ErrnoException(call + " (libc unavailable)", ENOSYS);
        }
        return C_LIB;
    }

    /** A failed system call, carrying its errno. */
    public static final class ErrnoException extends IOException {
        private final int errno;

        public ErrnoException(String call, int errno) {
            super(call + ": " + strerror(errno) + " (errno " + errno + ")");
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }

        /** Whether the call is simply not supported here, so a fallback should be taken. */
        public boolean notSupported() {
            return errno == EOPNOTSUPP || errno == ENOSYS || errno == EINVAL;
        }

        /** Whether the file system ran out of space (or quota). */
        public boolean noSpace() {
            return errno == ENOSPC || errno == EDQUOT;
        }
    }
}
