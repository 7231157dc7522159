package io.platter.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Serial arithmetic and the command window anywhere in the 32-bit space, across the wrap. */
class CommandWindowPropertiesTest {

    @Property(tries = 3000)
    void serialOrderHoldsForDistancesBelow2To31(@ForAll int a, @ForAll @IntRange(min = 1) int distance) {
        int b = a + distance; // wraps freely
        assertThat(SerialNumbers.lessThan(a, b)).isTrue();
        assertThat(SerialNumbers.lessThan(b, a)).isFalse();
        assertThat(SerialNumbers.lessOrEqual(a, b)).isTrue();
        assertThat(SerialNumbers.lessOrEqual(b, a)).isFalse();
        assertThat(SerialNumbers.lessOrEqual(a, a)).isTrue();
    }

    @Property(tries = 1000)
    void anyArrivalOrderWithinTheWindowIsDeliveredInCmdSnOrder(@ForAll int first,
                                                               @ForAll @IntRange(min = 1, max = 64) int depth,
                                                               @ForAll long seed) {
        CommandWindow<Integer> w = new CommandWindow<>(first, depth);
        List<Integer> arrivals = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            arrivals.add(first + i);
        }
        Collections.shuffle(arrivals, new Random(seed));
        List<Integer> delivered = new ArrayList<>();
        for (int cmdSn : arrivals) {
            switch (w.offer(cmdSn, cmdSn)) {
                case DELIVER -> {
                    delivered.add(cmdSn);
                    for (Integer next = w.next(); next != null; next = w.next()) {
                        delivered.add(next);
                    }
                }
                case QUEUED -> {
                }
                case REFUSED -> throw new AssertionError("refused " + cmdSn + " inside the window");
            }
        }
        assertThat(delivered).containsExactlyElementsOf(arrivals.stream().sorted(
                (x, y) -> SerialNumbers.lessThan(x, y) ? -1 : x.equals(y) ? 0 : 1).toList());
        assertThat(w.expCmdSn()).isEqualTo(first + depth);
        assertThat(w.offer(first + depth + depth, 0)).as("beyond MaxCmdSN").isEqualTo(CommandWindow.Admission.REFUSED);
    }

    @Property(tries = 1000)
    void maxCmdSnNeverDecreases(@ForAll int first, @ForAll @IntRange(min = 1, max = 32) int depth,
                                @ForAll long seed) {
        CommandWindow<Integer> w = new CommandWindow<>(first, depth);
        Random random = new Random(seed);
        int previous = w.maxCmdSn();
        int inFlight = 0;
        for (int step = 0; step < 200; step++) {
            int action = random.nextInt(3);
            if (action == 0 && w.offer(w.expCmdSn(), 0) == CommandWindow.Admission.DELIVER) {
                w.started();
                inFlight++;
            } else if (action == 1 && inFlight > 0) {
                w.finished();
                inFlight--;
            }
            int now = w.maxCmdSn();
            assertThat(SerialNumbers.lessOrEqual(previous, now)).as("MaxCmdSN %d -> %d", previous, now).isTrue();
            // Never more than depth commands in flight, and the window never opens beyond depth.
            assertThat(inFlight).isLessThanOrEqualTo(depth);
            assertThat(now - w.expCmdSn() + 1).isBetween(0, depth);
            previous = now;
        }
    }
}
