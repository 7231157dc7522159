package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.platter.scsi.Fixture.Result;
import io.platter.scsi.reservation.ReservationState;
import io.platter.scsi.reservation.ReservationStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The APTPL save of a PERSISTENT RESERVE OUT (issue 14): it runs on the I/O executor while
 * conflict checks of other commands go on without waiting for it; PR OUTs of a unit run one at a
 * time; and a save that fails changes nothing, neither the state nor the unit attentions.
 */
class ReservationSaveTest {

    static final ItNexus A = Fixture.NEXUS;
    static final ItNexus B = ReservationTest.B;
    static final byte[] TUR = cdb(0x00, 0, 0, 0, 0, 0);
    static final byte[] READ10 = Fixture.rw10(0x28, 0, 1, 0);
    static final int REGISTER = 0, RESERVE = 1, PREEMPT = 4, EA = 3, APTPL = 0x01;
    /** A command that never completes fails the test instead of hanging it. */
    static final long GUARD_SECONDS = 10;

    /** A store whose saves wait for {@link #go}, then succeed or, with {@link #fail}, throw. */
    static final class GatedStore implements ReservationStore {
        final CountDownLatch entered = new CountDownLatch(1);
        volatile CountDownLatch go = new CountDownLatch(0);
        volatile boolean fail;
        volatile ReservationState saved = ReservationState.EMPTY;
        final AtomicInteger saving = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();
        final List<Long> generations = new ArrayList<>();

        @Override
        public ReservationState load() {
            return saved;
        }

        @Override
        public void save(ReservationState state) throws IOException {
            mostAtOnce.accumulateAndGet(saving.incrementAndGet(), Math::max);
            try {
                entered.countDown();
                if (!go.await(GUARD_SECONDS, TimeUnit.SECONDS)) {
                    throw new IOException("test gate never opened");
                }
                if (fail) {
                    throw new IOException("no space left on device");
                }
                synchronized (generations) {
                    generations.add(state.generation());
                }
                saved = state;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            } finally {
                saving.decrementAndGet();
            }
        }
    }

    private final ExecutorService io = Executors.newFixedThreadPool(4);
    private final ExecutorService transport = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        io.shutdownNow();
        transport.shutdownNow();
    }

    private ScsiTarget target(GatedStore store) throws IOException {
        ScsiTarget t = new ScsiTarget("t", Fixture.ALLOC);
        t.addLun(0, new LogicalUnit(new LunIdentity(Fixture.UUID_1), new MemoryDevice(8 * 512, false), io,
                Fixture.ALLOC, store));
        Fixture.run(t, A, 0, TUR, null).assertCheck(6, 0x29, 0);
        Fixture.run(t, B, 0, TUR, null).assertCheck(6, 0x29, 0);
        return t;
    }

    private static byte[] parameters(long key, long saKey, int flags) {
        return ByteBuffer.allocate(24).putLong(key).putLong(saKey).put(20, (byte) flags).array();
    }

    /** Starts a PR OUT without waiting for it. */
    private static CompletableFuture<ScsiResponse> prout(ScsiTarget t, ItNexus n, int action, int type, long key,
                                                         long saKey, int flags) {
        CompletableFuture<ScsiResponse> done = new CompletableFuture<>();
        t.execute(new ScsiCommand(n, 0, cdb(0x5F, action, type, 0, 0, 0, 0, 0, 24, 0), TaskAttribute.SIMPLE, 0,
                Unpooled.wrappedBuffer(parameters(key, saKey, flags))), done::complete);
        return done;
    }

    private static Result run(ScsiTarget t, ItNexus n, int action, int type, long key, long saKey, int flags) {
        return Fixture.run(t, n, 0, cdb(0x5F, action, type, 0, 0, 0, 0, 0, 24, 0),
                Unpooled.wrappedBuffer(parameters(key, saKey, flags)));
    }

    /** Runs a command on another thread (an event loop of the transport): a wait for the save fails the test. */
    private Result onAnotherThread(ScsiTarget t, ItNexus n, byte[] cdb) throws Exception {
        Future<Result> f = transport.submit(() -> Fixture.run(t, n, 0, cdb, null));
        try {
            return f.get(GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the command waited for the APTPL save of another command", e);
        }
    }

    private static String hex(byte[] b) {
        return ByteBufUtil.hexDump(b);
    }

    @Test
    void conflictChecksAndReservationReportsDoNotWaitForASave() throws Exception {
        GatedStore store = new GatedStore();
        ScsiTarget t = target(store);
        // A holds an Exclusive Access reservation, saved with APTPL.
        run(t, A, REGISTER, 0, 0, 0xA, APTPL).assertGood();
        run(t, A, RESERVE, EA, 0xA, 0, 0).assertGood();

        store.go = new CountDownLatch(1);
        CompletableFuture<ScsiResponse> register = prout(t, B, REGISTER, 0, 0, 0xB, APTPL);
        assertThat(store.entered.await(GUARD_SECONDS, TimeUnit.SECONDS)).as("the save started").isTrue();

        // While the save is stuck: B's READ is checked (and conflicts), A's READ passes, READ KEYS
        // shows the state before the PR OUT: none of them waits for the save.
        assertThat(onAnotherThread(t, B, READ10).status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
        onAnotherThread(t, A, READ10).assertGood();
        assertThat(hex(onAnotherThread(t, B, cdb(0x5E, 0, 0, 0, 0, 0, 0, 0x10, 0, 0)).assertGood().data()))
                .isEqualTo("00000001" + "00000008" + "000000000000000a");
        // A second PR OUT queues behind the first, without blocking its caller.
        CompletableFuture<ScsiResponse> second = prout(t, A, REGISTER, 0, 0xA, 0xAA, APTPL);
        assertThat(second).isNotDone();
        assertThat(register).isNotDone();

        store.go.countDown();
        assertThat(register.get(GUARD_SECONDS, TimeUnit.SECONDS).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(second.get(GUARD_SECONDS, TimeUnit.SECONDS).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(store.mostAtOnce.get()).as("saves of one unit never overlap").isEqualTo(1);
        assertThat(store.generations).as("saved in arrival order").containsExactly(1L, 1L, 2L, 3L);
        assertThat(hex(Fixture.run(t, B, 0, cdb(0x5E, 0, 0, 0, 0, 0, 0, 0x18, 0, 0), null).assertGood().data()))
                .isEqualTo("00000003" + "00000010" + "00000000000000aa" + "000000000000000b");
    }

    @Test
    void aFailedSaveChangesNeitherStateNorUnitAttentions() throws Exception {
        GatedStore store = new GatedStore();
        ScsiTarget t = target(store);
        run(t, A, REGISTER, 0, 0, 0xA, APTPL).assertGood();
        run(t, B, REGISTER, 0, 0, 0xB, APTPL).assertGood();
        run(t, A, RESERVE, EA, 0xA, 0, 0).assertGood();
        ReservationState before = store.saved;

        store.fail = true;
        // B preempts A: would remove A's registration (REGISTRATIONS PREEMPTED for A) and take the
        // reservation. The save fails: the target's fault, HARDWARE ERROR / INTERNAL TARGET FAILURE.
        run(t, B, PREEMPT, EA, 0xB, 0xA, 0).assertCheck(4, 0x44, 0);
        // Registering fails with INSUFFICIENT REGISTRATION RESOURCES (SPC-5 §5.14.7).
        run(t, B, REGISTER, 0, 0xB, 0xBB, APTPL).assertCheck(5, 0x55, 0x04);

        assertThat(store.saved).isEqualTo(before);
        // A got no unit attention and still holds the reservation; B still conflicts.
        Fixture.run(t, A, 0, TUR, null).assertGood();
        Fixture.run(t, A, 0, READ10, null).assertGood();
        assertThat(Fixture.run(t, B, 0, READ10, null).status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
        assertThat(hex(Fixture.run(t, A, 0, cdb(0x5E, 0, 0, 0, 0, 0, 0, 0x18, 0, 0), null).assertGood().data()))
                .isEqualTo("00000002" + "00000010" + "000000000000000a" + "000000000000000b");
        assertThat(hex(Fixture.run(t, A, 0, cdb(0x5E, 1, 0, 0, 0, 0, 0, 0x18, 0, 0), null).assertGood().data()))
                .isEqualTo("00000002" + "00000010" + "000000000000000a" + "00000000" + "00" + "03" + "0000");

        store.fail = false;
        run(t, B, PREEMPT, EA, 0xB, 0xA, 0).assertGood();
        // Now, once saved, A learns of it.
        Fixture.run(t, A, 0, TUR, null).assertCheck(6, 0x2A, 0x05);
    }
}
