package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.RawScsiSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Persistent reservations with APTPL survive a crash (issue 10 acceptance, SPC-5 §5.14.5): a
 * storm of PERSISTENT RESERVE OUT commands (key changes, reserve, release) is cut by SIGKILL at
 * a random point; after the restart the state is the result of the last acknowledged command,
 * or of the one in flight, which may have been saved before its status was lost.
 */
@Timeout(300)
class PersistentReservationCrashIT {

    private static final String INITIATOR = "iqn.2026-11.test:pr-storm";
    private static final int REGISTER_AND_IGNORE = 6, RESERVE = 1, RELEASE = 2, WRITE_EXCLUSIVE = 1, APTPL = 1;
    private static final int ROUNDS = 3;

    /** What READ KEYS and READ RESERVATION show of the one registrant: its key (0: none) and reservation. */
    record State(long key, boolean reserved) {
        /** The state after storm step {@code step}, which {@link #command} issues. */
        State after(int step, long newKey) {
            return switch (step % 3) {
                case 0 -> new State(newKey, reserved);
                case 1 -> new State(key, true);
                default -> new State(key, false);
            };
        }
    }

    @Test
    void stateAfterKillNineIsTheLastAcknowledgedCommandsResult() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        ExecutorService storms = Executors.newSingleThreadExecutor();
        try (PlatterProcess server = PlatterProcess.start("PersistentReservationCrashIT", "16M")) {
            State state = new State(0, false);
            int step = 0;
            for (int round = 0; round < ROUNDS; round++) {
                AtomicReference<State> acknowledged = new AtomicReference<>(state);
                AtomicReference<State> inFlight = new AtomicReference<>(state);
                AtomicInteger acks = new AtomicInteger();
                int first = step;
                long keyBase = (long) (round + 1) << 32;
                State start = state;
                Future<?> storm = storms.submit(() -> {
                    try (RawScsiSession s = RawScsiSession.login(server.port(), INITIATOR, PlatterProcess.IQN)) {
                        s.takeUnitAttentions();
                        State current = start;
                        for (int i = first; ; i++) {
                            long newKey = keyBase | (i + 1);
                            State next = current.after(i, newKey);
                            inFlight.set(next);
                            RawScsiSession.Result r = command(s, i, current.key(), newKey);
                            assertThat(r.status()).as("step " + i + " sense " + r.senseCode())
                                    .isEqualTo(RawScsiSession.GOOD);
                            current = next;
                            acknowledged.set(current);
                            acks.incrementAndGet();
                        }
                    } catch (IOException e) {
                        return null;   // the kill
                    }
                });
                int atLeast = 5 + random.nextInt(20);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (acks.get() < atLeast && !storm.isDone() && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertThat(storm.isDone()).as("storm failed early").isFalse();
                Thread.sleep(random.nextInt(50));
                server.kill();
                storm.get(30, TimeUnit.SECONDS);
                server.startAgain();

                State last = acknowledged.get();
                State pending = inFlight.get();
                try (RawScsiSession s = RawScsiSession.login(server.port(), INITIATOR, PlatterProcess.IQN)) {
                    s.takeUnitAttentions();
                    state = read(s);
                }
                assertThat(state).as("seed " + seed + ", round " + round + ", " + acks.get() + " acknowledged")
                        .isIn(last, pending);
                assertThat(state.key()).as("registration with APTPL survives").isNotZero();
                step = first + acks.get() + (state.equals(last) && !last.equals(pending) ? 0 : 1);
                if (last.equals(pending)) {
                    step = first + acks.get() + 1;
                }
            }
        } finally {
            storms.shutdownNow();
        }
    }

    /** Storm step {@code i}: REGISTER AND IGNORE EXISTING KEY with a new key, RESERVE, RELEASE, in turn, APTPL set. */
    private static RawScsiSession.Result command(RawScsiSession s, int i, long key, long newKey) throws IOException {
        return switch (i % 3) {
            case 0 -> s.persistentReserveOut(REGISTER_AND_IGNORE, 0, 0, newKey, APTPL);
            case 1 -> s.persistentReserveOut(RESERVE, WRITE_EXCLUSIVE, key, 0, 0);
            default -> s.persistentReserveOut(RELEASE, WRITE_EXCLUSIVE, key, 0, 0);
        };
    }

    private static State read(RawScsiSession s) throws IOException {
        ByteBuffer keys = ByteBuffer.wrap(s.persistentReserveIn(0));
        long key = keys.getInt(4) == 0 ? 0 : keys.getLong(8);
        assertThat(keys.getInt(4)).as("at most one registration").isLessThanOrEqualTo(8);
        ByteBuffer reservation = ByteBuffer.wrap(s.persistentReserveIn(1));
        boolean reserved = reservation.getInt(4) != 0;
        if (reserved) {
            assertThat(reservation.getLong(8)).as("holder key").isEqualTo(key);
            assertThat(reservation.get(21) & 0x0f).isEqualTo(WRITE_EXCLUSIVE);
        }
        return new State(key, reserved);
    }
}
