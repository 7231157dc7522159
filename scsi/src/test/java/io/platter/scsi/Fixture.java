package io.platter.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.platter.lun.BlockDevice;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A target with one unit at LUN 0 over a {@link MemoryDevice}, and helpers to run commands. */
final class Fixture implements AutoCloseable {

    static final UUID UUID_1 = UUID.fromString("6f1c2b3a-4d5e-4f60-8a7b-9c8d7e6f5a4b");
    static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    final MemoryDevice device;
    final LogicalUnit unit;
    final ScsiTarget target = new ScsiTarget("iqn.2024-01.io.platter:test", ALLOC);
    private final ExecutorService pool;

    private Fixture(int blocks, boolean thin, boolean threaded) {
        this(new MemoryDevice(blocks * 512, thin), null, threaded);
    }

    /** @param exported the device the unit uses, wrapping {@code device}; null for {@code device} itself */
    private Fixture(MemoryDevice device, BlockDevice exported, boolean threaded) {
        this.device = device;
        pool = threaded ? Executors.newFixedThreadPool(4) : null;
        unit = new LogicalUnit(new LunIdentity(UUID_1), exported == null ? device : exported,
                threaded ? pool : Runnable::run, ALLOC);
        target.addLun(0, unit);
        // Every new I_T nexus starts with POWER ON, RESET (SAM-5 §5.14); tests of other things start past it.
        run(cdb(0x00, 0, 0, 0, 0, 0)).assertCheck(6, 0x29, 0);
    }

    /** Clears every pending unit attention of {@code lun} for the test nexus (TEST UNIT READY until GOOD). */
    static void clearUnitAttentions(ScsiTarget target, int lun) {
        for (int i = 0; i < 16; i++) {
            Result r = run(target, lun, cdb(0x00, 0, 0, 0, 0, 0), null);
            if (r.status() == ScsiStatus.GOOD) {
                return;
            }
            assertThat(r.senseKey()).as("only unit attentions pending").isEqualTo(6);
        }
        throw new AssertionError("unit attentions never cleared");
    }

    /** I/O on a 4-thread pool against a device that wraps {@code device} (e.g. a slow one). */
    static Fixture threaded(MemoryDevice device, BlockDevice exported) {
        return new Fixture(device, exported, true);
    }

    /** Starts a command without waiting; the future completes with its response (caller releases dataIn). */
    CompletableFuture<ScsiResponse> submit(byte[] cdb, byte[] dataOut, TaskAttribute attribute) {
        CompletableFuture<ScsiResponse> done = new CompletableFuture<>();
        ByteBuf out = dataOut == null ? null : Unpooled.buffer(dataOut.length).writeBytes(dataOut);
        target.execute(new ScsiCommand(new ItNexus("iqn.i,i,0x1", "iqn.t,t,0x1"), 0, cdb, attribute, 65536, out),
                done::complete);
        return done;
    }

    /** Waits for a submitted command and copies its result like {@link #run}. */
    static Result await(CompletableFuture<ScsiResponse> future) {
        ScsiResponse r;
        try {
            r = future.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no completion", e);
        }
        byte[] data = null;
        if (r.dataIn() != null) {
            data = ByteBufUtil.getBytes(r.dataIn());
            r.dataIn().release();
        }
        return new Result(r.status(), data, r.sense(), r.dataOutLength());
    }

    /** I/O runs on the calling thread. */
    static Fixture direct(int blocks) {
        return new Fixture(blocks, false, false);
    }

    static Fixture thin(int blocks) {
        return new Fixture(blocks, true, false);
    }

    /** I/O runs on a 4-thread pool. */
    static Fixture threaded(int blocks) {
        return new Fixture(blocks, false, true);
    }

    /** Result of one command with the Data-In copied out and released. */
    record Result(ScsiStatus status, byte[] data, byte[] sense, int dataOutLength) {
        int senseKey() {
            return sense[0] == 0x72 ? sense[1] & 0x0f : sense[2] & 0x0f;
        }

        int asc() {
            return sense[0] == 0x72 ? sense[2] & 0xff : sense[12] & 0xff;
        }

        int ascq() {
            return sense[0] == 0x72 ? sense[3] & 0xff : sense[13] & 0xff;
        }

        /** Fixed-format sense-key specific bytes 15-17 as one int. */
        int sks() {
            return (sense[15] & 0xff) << 16 | (sense[16] & 0xff) << 8 | sense[17] & 0xff;
        }

        Result assertGood() {
            assertThat(status).as("status, sense %s", sense == null ? "-" : ByteBufUtil.hexDump(sense))
                    .isEqualTo(ScsiStatus.GOOD);
            assertThat(sense).isNull();
            return this;
        }

        /** Asserts CHECK CONDITION with this key/ASC/ASCQ. */
        Result assertCheck(int key, int asc, int ascq) {
            assertThat(status).isEqualTo(ScsiStatus.CHECK_CONDITION);
            assertThat(data).isNull();
            assertThat(new int[] {senseKey(), asc(), ascq()}).containsExactly(key, asc, ascq);
            return this;
        }

        /** Asserts a fixed-format field pointer in the CDB (SKSV, C/D=1, optional bit pointer). */
        Result assertCdbPointer(int byteOffset, int bit) {
            int b0 = 0x80 | 0x40 | (bit >= 0 ? 0x08 | bit : 0);
            assertThat(Integer.toHexString(sks())).isEqualTo(Integer.toHexString(b0 << 16 | byteOffset));
            return this;
        }

        Result assertParameterPointer(int byteOffset, int bit) {
            int b0 = 0x80 | (bit >= 0 ? 0x08 | bit : 0);
            assertThat(Integer.toHexString(sks())).isEqualTo(Integer.toHexString(b0 << 16 | byteOffset));
            return this;
        }

        Result assertNoPointer() {
            assertThat(sense[15] & 0x80).isZero();
            return this;
        }
    }

    Result run(byte[] cdb) {
        return run(0, cdb, null);
    }

    Result run(byte[] cdb, byte[] dataOut) {
        return run(0, cdb, Unpooled.buffer(dataOut.length).writeBytes(dataOut));
    }

    /** Runs a command, checks completion is called once and dataOut is released, copies the result. */
    Result run(int lun, byte[] cdb, ByteBuf dataOut) {
        return run(target, lun, cdb, dataOut);
    }

    static Result run(ScsiTarget target, int lun, byte[] cdb, ByteBuf dataOut) {
        return run(target, NEXUS, lun, cdb, dataOut);
    }

    static final ItNexus NEXUS = new ItNexus("iqn.i,i,0x1", "iqn.t,t,0x1");

    /** Runs a command through {@code nexus}. */
    static Result run(ScsiTarget target, ItNexus nexus, int lun, byte[] cdb, ByteBuf dataOut) {
        CompletableFuture<ScsiResponse> done = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();
        target.execute(new ScsiCommand(nexus, lun, cdb,
                TaskAttribute.SIMPLE, 65536, dataOut), r -> {
                    calls.incrementAndGet();
                    done.complete(r);
                });
        ScsiResponse r;
        try {
            r = done.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no completion for " + ByteBufUtil.hexDump(cdb), e);
        }
        assertThat(calls.get()).isEqualTo(1);
        if (dataOut != null) {
            assertThat(dataOut.refCnt()).as("dataOut released").isZero();
        }
        byte[] data = null;
        if (r.dataIn() != null) {
            data = ByteBufUtil.getBytes(r.dataIn());
            r.dataIn().release();
        }
        if (r.status() == ScsiStatus.CHECK_CONDITION) {
            assertThat(r.sense()).isNotNull();
        }
        return new Result(r.status(), data, r.sense(), r.dataOutLength());
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
            try {
                assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static byte[] cdb(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return b;
    }

    /** A 16-byte CDB array (as iSCSI carries it) with the given leading bytes. */
    static byte[] cdb16(int... bytes) {
        byte[] b = new byte[16];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return b;
    }

    static byte[] rw10(int opcode, long lba, int blocks, int flags) {
        return cdb(opcode, flags, (int) (lba >>> 24), (int) (lba >>> 16), (int) (lba >>> 8), (int) lba, 0,
                blocks >>> 8, blocks, 0);
    }

    static byte[] rw16(int opcode, long lba, long blocks, int flags) {
        byte[] b = new byte[16];
        b[0] = (byte) opcode;
        b[1] = (byte) flags;
        for (int i = 0; i < 8; i++) {
            b[2 + i] = (byte) (lba >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            b[10 + i] = (byte) (blocks >>> (24 - 8 * i));
        }
        return b;
    }

    static byte[] rw12(int opcode, long lba, long blocks, int flags) {
        byte[] b = new byte[12];
        b[0] = (byte) opcode;
        b[1] = (byte) flags;
        for (int i = 0; i < 4; i++) {
            b[2 + i] = (byte) (lba >>> (24 - 8 * i));
            b[6 + i] = (byte) (blocks >>> (24 - 8 * i));
        }
        return b;
    }

    static byte[] rw6(int opcode, int lba, int blocks) {
        return cdb(opcode, lba >>> 16 & 0x1f, lba >>> 8, lba, blocks, 0);
    }

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }
}
