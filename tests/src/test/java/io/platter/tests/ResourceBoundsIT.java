package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.RawIscsiConnection;
import io.platter.tests.support.RawPdu;
import io.platter.tests.support.RawScsiSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * What one hostile logged-in initiator can make the daemon hold (issue 21, finding 2), over real
 * sockets: immediate 8 MiB READs plus a full window of them with the socket never read, and
 * immediate plus windowed 8 MiB WRITEs each missing its last 512 bytes, kept alive. Neither may
 * raise the daemon's VmRSS by more than {@link #RSS_BOUND_MIB} (the bound README documents), and
 * another session's QD1 4 KiB READ latency stays within twice its idle value meanwhile. Also: a
 * connection torn down with many commands pending logs one summary, not a line per command
 * (finding 16).
 */
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ResourceBoundsIT {

    static final long RSS_BOUND_MIB = 256;
    private static final int MIB = 1 << 20;
    private static final int LATENCY_SAMPLES = 200;
    /** Scheduling noise on a loaded 2-core test machine, on top of the 2x bound. */
    private static final long LATENCY_FLOOR_NANOS = 1_000_000;
    private static final String HOSTILE = "iqn.2026-11.io.platter:hostile";

    private static PlatterProcess server;

    @BeforeAll
    static void start() {
        // A fixed heap, so VmRSS shows what the daemon buffers, not the JVM's lazy heap growth.
        server = PlatterProcess.startWithJvm("ResourceBoundsIT", "512M",
                List.of("-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch", "-XX:MaxDirectMemorySize=2g"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(2)
    void hostileSessionsCannotGrowMemoryNorSlowOtherSessions() throws Exception {
        try (RawScsiSession victim = RawScsiSession.login(server.port(), "iqn.2026-11.io.platter:victim",
                PlatterProcess.IQN)) {
            victim.takeUnitAttentions();
            byte[] block = new byte[4096];
            Arrays.fill(block, (byte) 0x33);
            assertThat(victim.command(new byte[] {0x2a, 0, 0, 0, 0, 0, 0, 0, 8, 0}, block, 0).status()).isZero();
            medianReadNanos(victim); // warm-up
            long idle = medianReadNanos(victim);
            long rss0 = rssMiB();

            for (Pattern pattern : Pattern.values()) {
                AtomicLong peak = new AtomicLong(rss0);
                Thread sampler = sampler(peak);
                try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), 60_000)) {
                    RawIscsiConnection.Session s = c.login(HOSTILE, PlatterProcess.IQN, null, "ImmediateData=Yes",
                            "InitialR2T=No", "FirstBurstLength=16776192", "MaxBurstLength=16776192",
                            "MaxRecvDataSegmentLength=262144").session();
                    Thread drain = pattern == Pattern.PARTIAL_WRITES ? drain(c) : null;
                    pattern.send(c, s);
                    Thread.sleep(2000); // let the daemon take in (and buffer) all it will
                    long busy = medianReadNanos(victim);
                    System.out.printf("ResourceBoundsIT: %s: QD1 READ median %d us (idle %d us)%n", pattern,
                            busy / 1000, idle / 1000);
                    assertThat(busy).as("%s: QD1 READ median %d us, idle %d us", pattern, busy / 1000, idle / 1000)
                            .isLessThanOrEqualTo(Math.max(2 * idle, idle + LATENCY_FLOOR_NANOS));
                    c.send(RawPdu.nopOut(true, 0x7fff, s.expCmdSn(), s.statSn() + 1)); // still alive
                    if (drain != null) {
                        c.close();
                        drain.join(10_000);
                    }
                } finally {
                    sampler.interrupt();
                    sampler.join();
                }
                System.out.printf("ResourceBoundsIT: %s: VmRSS %d MiB -> peak %d MiB%n", pattern, rss0, peak.get());
                assertThat(peak.get() - rss0).as("%s: VmRSS growth in MiB (from %d MiB)", pattern, rss0)
                        .isLessThanOrEqualTo(RSS_BOUND_MIB);
            }
        }
        server.assertNoInternalErrors();
    }

    /**
     * 128 READs of 1 MiB and 8 immediate ones pending when the initiator closes its socket
     * without reading: the teardown logs a few lines (login, failure, one summary), not one
     * per pending command or per failed write.
     */
    @Test
    @Order(1)
    void teardownWithManyPendingCommandsLogsOneSummary() throws Exception {
        String name = "iqn.2026-11.io.platter:teardown";
        long before = logLines().size();
        try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), 20_000)) {
            RawIscsiConnection.Session s = c.login(name, PlatterProcess.IQN, null,
                    "MaxRecvDataSegmentLength=262144").session();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < 136; i++) {
                boolean immediate = i >= 128;
                out.writeBytes(command(0x100 + i, immediate ? s.expCmdSn() + 128 : s.expCmdSn() + i, s.statSn() + 1,
                        read10((long) i * 2048, 2048), MIB, true, false, immediate, new byte[0]));
            }
            c.send(out.toByteArray());
            Thread.sleep(1000);
        }
        Thread.sleep(3000);
        List<String> added = logLines().subList((int) before, logLines().size());
        long about = added.stream().filter(l -> l.contains(name)).count();
        assertThat(about).as("log lines about the torn-down session:\n" + String.join("\n", added))
                .isBetween(1L, 5L);
        assertThat(added).as("log lines in all").hasSizeLessThanOrEqualTo(10);
        assertThat(added.stream().filter(l -> l.contains("aborted") && l.contains(name)))
                .as("one teardown summary").hasSize(1);
    }

    private enum Pattern {
        /** 64 immediate 8 MiB READs and a full window of 128 more; the socket is never read. */
        UNREAD_READS {
            @Override
            void send(RawIscsiConnection c, RawIscsiConnection.Session s) throws IOException {
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                for (int i = 0; i < 64 + 128; i++) {
                    boolean immediate = i < 64;
                    out.writeBytes(command(0x100 + i, immediate ? s.expCmdSn() : s.expCmdSn() + i - 64,
                            s.statSn() + 1, read10((long) (i % 48) * 16384, 16384), 8 * MIB, true, false, immediate,
                            new byte[0]));
                }
                c.send(out.toByteArray());
            }
        },
        /** 40 immediate and 40 windowed 8 MiB WRITEs, each with all but its last 512 bytes (unsolicited). */
        PARTIAL_WRITES {
            @Override
            void send(RawIscsiConnection c, RawIscsiConnection.Session s) throws IOException {
                int segment = 256 * 1024;
                byte[] chunk = new byte[segment];
                Arrays.fill(chunk, (byte) 0xab);
                for (int i = 0; i < 80; i++) {
                    boolean immediate = i < 40;
                    int itt = 0x100 + i;
                    c.send(command(itt, immediate ? s.expCmdSn() : s.expCmdSn() + i - 40, s.statSn() + 1,
                            write10((long) (i % 48) * 16384, 16384), 8 * MIB, false, true, immediate, chunk));
                    int dataSn = 0;
                    for (int offset = segment; offset < 8 * MIB - 512; offset += segment) {
                        int n = Math.min(segment, 8 * MIB - 512 - offset);
                        c.send(dataOut(itt, s.statSn() + 1, dataSn++, offset, Arrays.copyOf(chunk, n)));
                    }
                }
            }
        };

        abstract void send(RawIscsiConnection c, RawIscsiConnection.Session s) throws IOException;
    }

    /** SCSI Command PDU (RFC 7143 §11.3) with {@code data} as immediate data. */
    static byte[] command(int itt, int cmdSn, int expStatSn, byte[] cdb, int expectedLength, boolean read,
                          boolean write, boolean immediate, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(RawPdu.BHS_LENGTH);
        b.put(0, (byte) ((immediate ? RawPdu.IMMEDIATE : 0) | 0x01));
        b.put(1, (byte) (0x80 | (read ? 0x40 : 0) | (write ? 0x20 : 0) | 0x01));
        b.put(5, (byte) (data.length >>> 16)).put(6, (byte) (data.length >>> 8)).put(7, (byte) data.length);
        b.putInt(16, itt).putInt(20, expectedLength).putInt(24, cmdSn).putInt(28, expStatSn);
        b.put(32, Arrays.copyOf(cdb, 16));
        return new RawPdu(b.array(), data).toBytes();
    }

    /** Unsolicited Data-Out (RFC 7143 §11.7): TTT ffffffff. */
    static byte[] dataOut(int itt, int expStatSn, int dataSn, int offset, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(RawPdu.BHS_LENGTH);
        b.put(0, (byte) 0x05);
        b.put(5, (byte) (data.length >>> 16)).put(6, (byte) (data.length >>> 8)).put(7, (byte) data.length);
        b.putInt(16, itt).putInt(20, 0xffffffff).putInt(28, expStatSn).putInt(36, dataSn).putInt(40, offset);
        return new RawPdu(b.array(), data).toBytes();
    }

    static byte[] read10(long lba, int blocks) {
        return new byte[] {0x28, 0, (byte) (lba >>> 24), (byte) (lba >>> 16), (byte) (lba >>> 8), (byte) lba, 0,
            (byte) (blocks >>> 8), (byte) blocks, 0};
    }

    static byte[] write10(long lba, int blocks) {
        byte[] cdb = read10(lba, blocks);
        cdb[0] = 0x2a;
        return cdb;
    }

    /** Median latency of {@link #LATENCY_SAMPLES} QD1 READ(10)s of 4 KiB at LBA 0. */
    private static long medianReadNanos(RawScsiSession s) throws IOException {
        long[] samples = new long[LATENCY_SAMPLES];
        for (int i = 0; i < samples.length; i++) {
            long t0 = System.nanoTime();
            RawScsiSession.Result r = s.command(read10(0, 8), null, 4096);
            samples[i] = System.nanoTime() - t0;
            assertThat(r.status()).isZero();
            assertThat(r.data()).hasSize(4096);
        }
        Arrays.sort(samples);
        return samples[samples.length / 2];
    }

    /** Reads and drops everything the target sends on {@code c} until it closes. */
    private static Thread drain(RawIscsiConnection c) {
        Thread t = new Thread(() -> {
            try {
                while (c.read().isPresent()) {
                    // Rejects, TASK SET FULL responses, NOP-Ins
                }
            } catch (IOException | AssertionError e) {
                // closed by the test
            }
        }, "drain");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Samples the daemon's VmRSS every 50 ms into {@code peak} until interrupted. */
    private static Thread sampler(AtomicLong peak) {
        Thread t = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    peak.accumulateAndGet(rssMiB(), Math::max);
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "rss-sampler");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static long rssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(server.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        throw new IOException("no VmRSS");
    }

    private static List<String> logLines() throws IOException {
        return new ArrayList<>(Files.readAllLines(server.log(), StandardCharsets.ISO_8859_1));
    }
}
