package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.RawIscsiConnection;
import io.platter.tests.support.ScsiInitiator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * COMPARE AND WRITE (SBC-4 §5.3) as VMFS uses it for its heartbeat locks: 8 sessions each read one
 * block and try to swap it from what they read to a value of their own, over and over. Every
 * value written is unique, so the successful swaps must form one chain from the initial (zero)
 * block to what the block holds at the end: no two swaps ever succeed from the same value, and
 * every other attempt fails with MISCOMPARE.
 */
@Timeout(300)
class CompareAndWriteIT {

    private static final int STREAMS = 8;
    private static final int ATTEMPTS = 60;
    private static final int BLOCK = 512;
    private static final long LBA = 1000;
    private static final int MISCOMPARE = 0x0E;

    /** A swap that succeeded: the tag of the block it compared against and the tag it wrote. */
    private record Swap(long from, long to) { }

    @Test
    void concurrentSwapsOfOneBlockFormOneChain() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("CompareAndWriteIT", "16M")) {
            ExecutorService pool = Executors.newFixedThreadPool(STREAMS);
            CyclicBarrier start = new CyclicBarrier(STREAMS);
            List<Future<List<Swap>>> streams = new ArrayList<>();
            int[] miscompares = new int[STREAMS];
            try {
                for (int i = 0; i < STREAMS; i++) {
                    int stream = i;
                    streams.add(pool.submit((Callable<List<Swap>>) () ->
                            run(server.port(), stream, start, miscompares)));
                }
                List<Swap> swaps = new ArrayList<>();
                for (Future<List<Swap>> f : streams) {
                    swaps.addAll(f.get(240, TimeUnit.SECONDS));
                }
                long finalTag = readFinalTag(server.port());
                int totalMiscompares = Arrays.stream(miscompares).sum();

                Map<Long, Long> next = new HashMap<>();
                for (Swap s : swaps) {
                    assertThat(next.put(s.from(), s.to()))
                            .as("two swaps succeeded from the value %x", s.from()).isNull();
                }
                long tag = 0;
                int length = 0;
                while (next.containsKey(tag)) {
                    tag = next.get(tag);
                    length++;
                }
                assertThat(length).as("successful swaps chained from the zero block").isEqualTo(swaps.size());
                assertThat(tag).as("the block holds the last value of the chain").isEqualTo(finalTag);
                assertThat(swaps).as("swaps succeeded").hasSizeGreaterThanOrEqualTo(ATTEMPTS);
                assertThat(totalMiscompares).as("attempts lost to another stream")
                        .isPositive()
                        .isEqualTo(STREAMS * ATTEMPTS - swaps.size());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** One stream: {@link #ATTEMPTS} read-then-swap attempts on its own session. */
    private static List<Swap> run(int port, int stream, CyclicBarrier start, int[] miscompares) throws Exception {
        List<Swap> won = new ArrayList<>();
        try (RawIscsiConnection c = RawIscsiConnection.open(port, 60_000)) {
            ScsiInitiator scsi = new ScsiInitiator(
                    c, c.login("iqn.2026-11.io.platter:caw-it-" + stream, PlatterProcess.IQN));
            scsi.clearUnitAttentions(0);
            start.await(60, TimeUnit.SECONDS);
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                byte[] current = read(scsi);
                long from = tagOf(current);
                long to = (long) (stream + 1) << 32 | attempt;
                byte[] out = new byte[2 * BLOCK];
                System.arraycopy(current, 0, out, 0, BLOCK);
                System.arraycopy(block(to), 0, out, BLOCK, BLOCK);
                ScsiInitiator.Response r = scsi.command(0, compareAndWrite(), out, 0);
                if (r.status() == 0) {
                    won.add(new Swap(from, to));
                } else {
                    assertThat(r.status()).as("status").isEqualTo(ScsiInitiator.CHECK_CONDITION);
                    assertThat(r.senseKey()).as("sense key").isEqualTo(MISCOMPARE);
                    miscompares[stream]++;
                }
            }
        }
        return won;
    }

    private static long readFinalTag(int port) throws IOException {
        try (RawIscsiConnection c = RawIscsiConnection.open(port, 30_000)) {
            ScsiInitiator scsi = new ScsiInitiator(c, c.login("iqn.2026-11.io.platter:caw-it-check", PlatterProcess.IQN));
            scsi.clearUnitAttentions(0);
            return tagOf(read(scsi));
        }
    }

    private static byte[] read(ScsiInitiator scsi) throws IOException {
        byte[] cdb = {0x28, 0, 0, 0, (byte) (LBA >>> 8), (byte) LBA, 0, 0, 1, 0};
        ScsiInitiator.Response r = scsi.command(0, cdb, null, BLOCK);
        assertThat(r.status()).as("READ(10) status").isZero();
        assertThat(r.dataIn()).hasSize(BLOCK);
        return r.dataIn();
    }

    /** COMPARE AND WRITE of one block at {@link #LBA} (SBC-4 §5.3, opcode 89h). */
    private static byte[] compareAndWrite() {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) 0x89;
        ByteBuffer.wrap(cdb).putLong(2, LBA);
        cdb[13] = 1;
        return cdb;
    }

    /** A block whose every 8 bytes hold {@code tag}: a torn write would not read back as one tag. */
    private static byte[] block(long tag) {
        ByteBuffer b = ByteBuffer.allocate(BLOCK);
        while (b.hasRemaining()) {
            b.putLong(tag);
        }
        return b.array();
    }

    /** The tag of a block written by {@link #block}, 0 for the initial zero block. */
    private static long tagOf(byte[] block) {
        long tag = ByteBuffer.wrap(block).getLong(0);
        assertThat(block).as("block is whole").isEqualTo(block(tag));
        return tag;
    }
}
