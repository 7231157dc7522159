package io.platter.tests.support;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One iSCSI session of the load test, a minimal initiator (RFC 7143 §11: SCSI Command, Data-In,
 * R2T/Data-Out, SCSI Response, NOP-In/Out, Logout) on a blocking socket with two threads: a
 * submitter keeping {@code queueDepth} READ(10)/WRITE(10) commands in flight on the session's own
 * region, and a reader completing them. Every write carries a fresh tag; every read is compared
 * with the last tag acknowledged for each slot. A slot with a command in flight is not chosen
 * again until it completes, so each read has exactly one right answer. Target NOP-In pings are
 * answered at once. Failures are counted and the first few described in {@code errors}.
 */
public final class LoadSession implements AutoCloseable {

    private static final int OP_NOP_OUT = 0x00;
    private static final int OP_SCSI_COMMAND = 0x01;
    private static final int OP_LOGOUT = 0x06;
    private static final int OP_DATA_OUT = 0x05;
    private static final int OP_NOP_IN = 0x20;
    private static final int OP_SCSI_RESPONSE = 0x21;
    private static final int OP_LOGIN_RESPONSE = 0x23;
    private static final int OP_DATA_IN = 0x25;
    private static final int OP_LOGOUT_RESPONSE = 0x26;
    private static final int OP_R2T = 0x31;
    private static final int RESERVED = 0xffffffff;
    private static final int[] SLOT_COUNTS = {1, 1, 1, 1, 2, 4, 8};
    private static final int MAX_ERRORS_KEPT = 20;

    /** One command in flight. Fields are written by the submitter before it is sent. */
    private static final class Task {
        final int itt;
        final boolean write;
        final int slot;
        final int slots;
        final long tag;
        final byte[] data;
        final long started = System.nanoTime();
        final CompletableFuture<Integer> done = new CompletableFuture<>();
        int received;

        Task(int itt, boolean write, int slot, int slots, long tag, byte[] data) {
            this.itt = itt;
            this.write = write;
            this.slot = slot;
            this.slots = slots;
            this.tag = tag;
            this.data = data;
        }
    }

    private final int id;
    private final long firstByte;
    private final int slotCount;
    private final int queueDepth;
    private final Queue<String> errors;
    private final AtomicLong errorCount;
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final long[] acked;
    private final boolean[] busy;
    private final Semaphore permits;
    private final Map<Integer, Task> inFlight = new ConcurrentHashMap<>();
    private final SplittableRandom random;
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong pings = new AtomicLong();
    private final CompletableFuture<Void> loggedOut = new CompletableFuture<>();
    private Thread reader;
    private Thread submitter;
    private int blockSize;
    private int targetMaxRecv = 8192;
    private int firstBurst = 65536;
    private boolean immediateData = true;
    private int nextItt = 1;
    private long nextTag = 1;
    private int cmdSn;
    private volatile int expStatSn;
    private volatile int maxCmdSn;
    private volatile boolean stopping;
    private boolean closed;
    private volatile long idleUntil;

    private LoadSession(int id, long firstByte, int slotCount, int queueDepth, Queue<String> errors,
                        AtomicLong errorCount, Socket socket) throws IOException {
        this.id = id;
        this.firstByte = firstByte;
        this.slotCount = slotCount;
        this.queueDepth = queueDepth;
        this.errors = errors;
        this.errorCount = errorCount;
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        this.acked = new long[slotCount];
        this.busy = new boolean[slotCount];
        this.permits = new Semaphore(queueDepth);
        this.random = new SplittableRandom(id * 7919L + 1);
    }

    /**
     * Logs in as initiator {@code iqn.2026-11.io.platter:load-ID} to {@code target} LUN 0, takes the
     * power-on unit attention and reads the block size; the region is {@code slotCount} 4 KiB slots
     * from byte {@code firstByte}. Failures later go to {@code errors} and {@code errorCount}.
     */
    public static LoadSession open(int port, String target, int id, long firstByte, int slotCount, int queueDepth,
                                   Queue<String> errors, AtomicLong errorCount) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setTcpNoDelay(true);
        s.setSoTimeout(60_000);
        LoadSession session = new LoadSession(id, firstByte, slotCount, queueDepth, errors, errorCount, s);
        session.login(target);
        session.reader = new Thread(session::readLoop, "load-reader-" + id);
        session.reader.setDaemon(true);
        session.reader.start();
        session.prime();
        return session;
    }

    /** Starts the submitter thread. */
    public void start() {
        submitter = new Thread(this::submitLoop, "load-submit-" + id);
        submitter.setDaemon(true);
        submitter.start();
    }

    /** Sends nothing new until {@code millis} from now: the target sees an idle connection. */
    public void idleFor(long millis) {
        idleUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    public long reads() {
        return reads.get();
    }

    public long writes() {
        return writes.get();
    }

    public long bytes() {
        return bytes.get();
    }

    /** NOP-In pings from the target that this session answered. */
    public long pings() {
        return pings.get();
    }

    /** Age in milliseconds of the oldest command in flight, 0 when none. */
    public long oldestInFlightMillis() {
        long now = System.nanoTime();
        long oldest = 0;
        for (Task t : inFlight.values()) {
            oldest = Math.max(oldest, now - t.started);
        }
        return TimeUnit.NANOSECONDS.toMillis(oldest);
    }

    /** Sends no new commands from now on; those in flight still complete. */
    public void stopSubmitting() {
        stopping = true;
    }

    /** Stops submitting, waits for the commands in flight, logs out (RFC 7143 §11.14) and closes. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        stopping = true;
        try {
            if (submitter != null) {
                submitter.join(30_000);
            }
            if (!reader.isAlive()) {
                return; // the connection is gone and that is already counted; nothing to drain
            }
            if (!permits.tryAcquire(queueDepth, 30, TimeUnit.SECONDS)) {
                error("commands still in flight 30 s after the end: " + inFlight.size());
            }
            if (!socket.isClosed()) {
                ByteBuffer b = bhs(0x40 | OP_LOGOUT, 0x80, 0);
                b.putInt(16, nextItt++);
                synchronized (out) {
                    b.putInt(24, cmdSn);
                    b.putInt(28, expStatSn);
                    send(b, null, 0, 0);
                }
                loggedOut.get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            error("logout: " + e);
        } finally {
            socket.close();
        }
    }

    private void login(String target) throws IOException {
        String text = String.join("\0", "InitiatorName=iqn.2026-11.io.platter:load-" + id, "SessionType=Normal",
                "TargetName=" + target, "ImmediateData=Yes", "MaxRecvDataSegmentLength=262144",
                "FirstBurstLength=65536", "MaxBurstLength=262144", "HeaderDigest=None", "DataDigest=None") + "\0";
        byte[] keys = text.getBytes(StandardCharsets.UTF_8);
        Map<String, String> answer = new HashMap<>();
        for (int round = 0; round < 4; round++) {
            ByteBuffer b = bhs(0x40 | 0x03, 0x80 | 1 << 2 | 3, 0); // T=1, CSG=1 (operational), NSG=3 (full feature)
            b.put(8, new byte[] {0x00, 0x02, 0x3d, 0x00, 0x00, 0x01});
            b.putInt(16, 0x10000 + round);
            b.putInt(28, expStatSn);
            byte[] data = round == 0 ? keys : new byte[0];
            send(b, data, 0, data.length);
            byte[] h = new byte[48];
            in.readFully(h);
            ByteBuffer r = ByteBuffer.wrap(h);
            byte[] rd = readData(r);
            if ((h[0] & 0x3f) != OP_LOGIN_RESPONSE || h[36] != 0 || h[37] != 0) {
                throw new IOException("session " + id + " login failed: status " + h[36] + "/" + h[37]);
            }
            for (String kv : new String(rd, StandardCharsets.UTF_8).split("\0")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    answer.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
            expStatSn = r.getInt(24) + 1;
            cmdSn = r.getInt(28);
            maxCmdSn = r.getInt(32);
            if ((h[1] & 0x80) != 0 && (h[1] & 3) == 3) {
                targetMaxRecv = Integer.parseInt(answer.getOrDefault("MaxRecvDataSegmentLength", "8192"));
                firstBurst = Integer.parseInt(answer.getOrDefault("FirstBurstLength", "65536"));
                immediateData = "Yes".equals(answer.getOrDefault("ImmediateData", "Yes"));
                return;
            }
        }
        throw new IOException("session " + id + " not in full feature phase after 4 login rounds");
    }

    /** TEST UNIT READY until GOOD (the first reports the power-on unit attention), then READ CAPACITY(10). */
    private void prime() throws IOException {
        try {
            int status = -1;
            for (int i = 0; i < 3 && status != 0; i++) {
                status = issue(false, new byte[6], new byte[0], 0, 0, 0).done.get(30, TimeUnit.SECONDS);
            }
            byte[] capacity = new byte[8];
            byte[] cdb = new byte[10];
            cdb[0] = 0x25;
            status = issue(false, cdb, capacity, 0, 0, 0).done.get(30, TimeUnit.SECONDS);
            if (status != 0) {
                throw new IOException("session " + id + ": READ CAPACITY status " + status);
            }
            blockSize = ByteBuffer.wrap(capacity).getInt(4);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("session " + id + " prime: " + e, e);
        }
    }

    private void submitLoop() {
        try {
            while (!stopping) {
                long idle = idleUntil - System.nanoTime();
                if (idle > 0) {
                    Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(idle) + 1, 200));
                    continue;
                }
                if (!permits.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                submitOne();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            if (!stopping) {
                error("send: " + e);
            }
        }
    }

    /** One READ (70 %) or WRITE (30 %) of 1 to 8 free slots; gives the permit back if none are free. */
    private void submitOne() throws IOException {
        int slots = SLOT_COUNTS[random.nextInt(SLOT_COUNTS.length)];
        int slot = random.nextInt(slotCount - slots + 1);
        synchronized (busy) {
            for (int i = slot; i < slot + slots; i++) {
                if (busy[i]) {
                    permits.release();
                    return;
                }
            }
            for (int i = slot; i < slot + slots; i++) {
                busy[i] = true;
            }
        }
        boolean write = random.nextInt(10) < 3;
        byte[] data = new byte[slots * LoadPattern.SLOT];
        long tag = 0;
        if (write) {
            tag = nextTag++;
            for (int i = 0; i < slots; i++) {
                LoadPattern.fill(data, i * LoadPattern.SLOT, id, slot + i, tag);
            }
        }
        long lba = (firstByte + (long) slot * LoadPattern.SLOT) / blockSize;
        int blocks = data.length / blockSize;
        byte[] cdb = new byte[10];
        ByteBuffer c = ByteBuffer.wrap(cdb);
        c.put(0, (byte) (write ? 0x2a : 0x28));
        c.putInt(2, (int) lba);
        c.putShort(7, (short) blocks);
        issue(write, cdb, data, slot, slots, tag);
    }

    /** Sends a SCSI Command PDU (RFC 7143 §11.3) with immediate data up to the first burst for writes. */
    private Task issue(boolean write, byte[] cdb, byte[] data, int slot, int slots, long tag) throws IOException {
        while (cmdSn - maxCmdSn > 0 && !stopping) { // outside the command window (RFC 7143 §4.2.2.1)
            LockSupport.parkNanos(100_000);
        }
        Task t;
        synchronized (out) {
            t = new Task(nextItt++, write, slot, slots, tag, data);
            inFlight.put(t.itt, t);
            ByteBuffer b = bhs(OP_SCSI_COMMAND, 0x80 | (write ? 0x20 : data.length > 0 ? 0x40 : 0) | 1, 0);
            b.putInt(16, t.itt);
            b.putInt(20, data.length);
            b.putInt(24, cmdSn++);
            b.putInt(28, expStatSn);
            b.position(32);
            b.put(cdb);
            int immediate = write && immediateData ? Math.min(data.length, Math.min(firstBurst, targetMaxRecv)) : 0;
            send(b, data, 0, immediate);
        }
        return t;
    }

    private void readLoop() {
        byte[] h = new byte[48];
        ByteBuffer r = ByteBuffer.wrap(h);
        try {
            while (true) {
                in.readFully(h);
                int op = h[0] & 0x3f;
                if (op != OP_DATA_IN && op != OP_R2T) {
                    int statSn = r.getInt(24);
                    if (op != OP_NOP_IN || r.getInt(16) != RESERVED) {
                        expStatSn = statSn + 1;
                    }
                }
                if (op != OP_LOGOUT_RESPONSE) {
                    maxCmdSn = r.getInt(32);
                }
                switch (op) {
                    case OP_DATA_IN -> dataIn(r);
                    case OP_SCSI_RESPONSE -> {
                        byte[] sense = readData(r);
                        complete(inFlight.remove(r.getInt(16)), h[2] == 0 ? h[3] & 0xff : 0x100 | h[2] & 0xff, sense);
                    }
                    case OP_R2T -> readyToTransfer(r);
                    case OP_NOP_IN -> nopIn(r);
                    case OP_LOGOUT_RESPONSE -> {
                        readData(r);
                        loggedOut.complete(null);
                        return;
                    }
                    default -> error("unexpected PDU opcode 0x" + Integer.toHexString(op) + ": "
                            + new String(readData(r), StandardCharsets.ISO_8859_1));
                }
            }
        } catch (EOFException e) {
            if (!stopping) {
                error("target closed the connection");
            }
        } catch (IOException e) {
            if (!stopping || !socket.isClosed()) {
                error("receive: " + e);
            }
        }
        loggedOut.complete(null);
        for (Task t : inFlight.values()) {
            t.done.complete(-1);
        }
    }

    /** Data-In (RFC 7143 §11.7): the payload goes straight into the task's buffer at its offset. */
    private void dataIn(ByteBuffer r) throws IOException {
        byte[] h = r.array();
        int length = dataSegmentLength(h);
        Task t = inFlight.get(r.getInt(16));
        int offset = r.getInt(40);
        if (t == null || offset + length > t.data.length) {
            error("Data-In for unknown task or beyond its buffer: itt " + r.getInt(16));
            in.skipNBytes(padded(length));
            return;
        }
        in.readFully(t.data, offset, length);
        in.skipNBytes(padded(length) - length);
        t.received += length;
        if ((h[1] & 0x01) != 0) { // S bit: status in this PDU
            inFlight.remove(t.itt);
            expStatSn = r.getInt(24) + 1;
            complete(t, h[3] & 0xff, new byte[0]);
        }
    }

    /** R2T (RFC 7143 §11.8): answers with Data-Out PDUs of at most the target's MaxRecvDataSegmentLength. */
    private void readyToTransfer(ByteBuffer r) throws IOException {
        Task t = inFlight.get(r.getInt(16));
        int offset = r.getInt(40);
        int length = r.getInt(44);
        if (t == null || offset + length > t.data.length) {
            error("R2T for unknown task or beyond its buffer: itt " + r.getInt(16));
            return;
        }
        int dataSn = 0;
        synchronized (out) {
            for (int at = offset; at < offset + length; at += targetMaxRecv) {
                int n = Math.min(targetMaxRecv, offset + length - at);
                ByteBuffer b = bhs(OP_DATA_OUT, at + n == offset + length ? 0x80 : 0, 0);
                b.putInt(16, t.itt);
                b.putInt(20, r.getInt(20));
                b.putInt(28, expStatSn);
                b.putInt(36, dataSn++);
                b.putInt(40, at);
                send(b, t.data, at, n);
            }
        }
    }

    /** NOP-In (RFC 7143 §11.19): a ping (ITT reserved, TTT set) is echoed at once in a NOP-Out. */
    private void nopIn(ByteBuffer r) throws IOException {
        byte[] data = readData(r);
        int ttt = r.getInt(20);
        if (r.getInt(16) != RESERVED || ttt == RESERVED) {
            return;
        }
        ByteBuffer b = bhs(0x40 | OP_NOP_OUT, 0x80, 0);
        b.put(8, r.array(), 8, 8); // LUN copied from the NOP-In
        b.putInt(16, RESERVED);
        b.putInt(20, ttt);
        synchronized (out) {
            b.putInt(24, cmdSn);
            b.putInt(28, expStatSn);
            send(b, data, 0, data.length);
        }
        pings.incrementAndGet();
    }

    private void complete(Task t, int status, byte[] sense) {
        if (t == null) {
            error("response for a task not in flight");
            return;
        }
        t.done.complete(status);
        if (t.slots == 0) {
            return; // a priming command: its caller looks at the status
        }
        if (status != 0) {
            error((t.write ? "WRITE" : "READ") + " of slot " + t.slot + "+" + t.slots + " ended with status 0x"
                    + Integer.toHexString(status) + " sense " + hex(sense));
        } else if (t.write) {
            writes.incrementAndGet();
        } else if (t.received != t.data.length) {
            error("READ of slot " + t.slot + " returned " + t.received + " of " + t.data.length + " bytes");
        } else {
            verify(t);
            reads.incrementAndGet();
        }
        bytes.addAndGet(t.data.length);
        synchronized (busy) {
            for (int i = t.slot; i < t.slot + t.slots; i++) {
                if (t.write) {
                    acked[i] = status == 0 ? t.tag : -1;
                }
                busy[i] = false;
            }
        }
        permits.release();
    }

    private void verify(Task t) {
        for (int i = 0; i < t.slots; i++) {
            int slot = t.slot + i;
            long expected;
            synchronized (busy) {
                expected = acked[slot];
            }
            if (expected < 0) {
                continue; // a failed write left it unknown; that failure is already counted
            }
            int at = LoadPattern.mismatch(t.data, i * LoadPattern.SLOT, id, slot, expected);
            if (at >= 0) {
                error("session " + id + " slot " + slot + ": read does not match write tag " + expected
                        + " at byte " + at + " (data is from tag " + LoadPattern.tagOf(t.data, i * LoadPattern.SLOT, id, slot)
                        + ")");
            }
        }
    }

    private void error(String message) {
        errorCount.incrementAndGet();
        if (errors.size() < MAX_ERRORS_KEPT) {
            errors.add("session " + id + ": " + message);
        }
    }

    private byte[] readData(ByteBuffer r) throws IOException {
        int length = dataSegmentLength(r.array());
        in.skipNBytes((r.array()[4] & 0xff) * 4L);
        byte[] data = new byte[length];
        in.readFully(data);
        in.skipNBytes(padded(length) - length);
        return data;
    }

    /** Header, then {@code length} bytes of {@code data} from {@code offset}, padded; caller holds {@code out}. */
    private void send(ByteBuffer header, byte[] data, int offset, int length) throws IOException {
        byte[] h = header.array();
        h[5] = (byte) (length >>> 16);
        h[6] = (byte) (length >>> 8);
        h[7] = (byte) length;
        out.write(h);
        if (length > 0) {
            out.write(data, offset, length);
            out.write(new byte[padded(length) - length]);
        }
        out.flush();
    }

    private static ByteBuffer bhs(int byte0, int byte1, int byte2) {
        ByteBuffer b = ByteBuffer.allocate(48);
        b.put(0, (byte) byte0);
        b.put(1, (byte) byte1);
        b.put(2, (byte) byte2);
        return b;
    }

    private static int dataSegmentLength(byte[] h) {
        return (h[5] & 0xff) << 16 | (h[6] & 0xff) << 8 | h[7] & 0xff;
    }

    private static int padded(int length) {
        return (length + 3) & ~3;
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x));
        }
        return s.toString();
    }
}
