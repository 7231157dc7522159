package io.platter.scsi.reservation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The reservation turnstile: one turn at a time, in arrival order, never blocking, never deep. */
class TurnstileTest {

    @Test
    void turnsAreGrantedOneAtATimeInArrivalOrderAndReleaseIsIdempotent() {
        Turnstile t = new Turnstile();
        AtomicReference<Turnstile.Turn> first = new AtomicReference<>();
        List<Integer> ran = new ArrayList<>();
        t.enter(first::set);
        for (int i = 0; i < 3; i++) {
            int n = i;
            t.enter(turn -> {
                ran.add(n);
                turn.release();
                turn.release();
            });
        }
        assertThat(ran).as("queued behind the held turn").isEmpty();
        first.get().release();
        assertThat(ran).containsExactly(0, 1, 2);
        first.get().release();   // a second release grants nothing twice
        assertThat(ran).containsExactly(0, 1, 2);
        AtomicReference<Turnstile.Turn> again = new AtomicReference<>();
        t.enter(again::set);
        assertThat(again.get()).as("free again: granted at once").isNotNull();
    }

    @Test
    void aLongQueueOfChangesThatEndAtOnceDoesNotDeepenTheStack() {
        Turnstile t = new Turnstile();
        AtomicReference<Turnstile.Turn> first = new AtomicReference<>();
        t.enter(first::set);
        int[] count = new int[1];
        for (int i = 0; i < 200_000; i++) {
            t.enter(turn -> {
                count[0]++;
                turn.release();
            });
        }
        first.get().release();
        assertThat(count[0]).isEqualTo(200_000);
    }
}
