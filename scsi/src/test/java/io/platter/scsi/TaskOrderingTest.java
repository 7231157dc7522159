package io.platter.scsi;

import static io.platter.scsi.Fixture.pattern;
import static io.platter.scsi.Fixture.rw10;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Task attributes (SAM-5 §8.6) and range locking through the target, on a slow device. */
class TaskOrderingTest {

    /** Writes to LBA 0 take 200 ms; everything else is quick. */
    private static Fixture slowAtZero() {
        MemoryDevice mem = new MemoryDevice(64 * 512, false);
        return Fixture.threaded(mem, new SlowDevice(mem, offset -> offset == 0 ? 200 : 0));
    }

    private static CompletableFuture<Fixture.Result> write(Fixture f, long lba, TaskAttribute attribute,
                                                         List<Long> order) {
        return f.submit(rw10(0x2A, lba, 1, 0), new byte[512], attribute)
                .thenApply(r -> {
                    synchronized (order) {
                        order.add(lba);
                    }
                    return Fixture.await(CompletableFuture.completedFuture(r));
                });
    }

    @Test
    void simpleTasksRunConcurrently() throws Exception {
        try (Fixture f = slowAtZero()) {
            List<Long> order = Collections.synchronizedList(new ArrayList<>());
            var slow = write(f, 0, TaskAttribute.SIMPLE, order);
            var fast = write(f, 5, TaskAttribute.SIMPLE, order);
            fast.get().assertGood();
            slow.get().assertGood();
            assertThat(order).containsExactly(5L, 0L);
        }
    }

    @Test
    void orderedTaskWaitsForOlderTasksAndLaterTasksWaitForIt() throws Exception {
        try (Fixture f = slowAtZero()) {
            List<Long> order = new ArrayList<>();
            var first = write(f, 0, TaskAttribute.SIMPLE, order);
            var ordered = write(f, 5, TaskAttribute.ORDERED, order);
            var later = write(f, 9, TaskAttribute.SIMPLE, order);
            later.get().assertGood();
            ordered.get().assertGood();
            first.get().assertGood();
            assertThat(order).containsExactly(0L, 5L, 9L);
            for (int i = 0; i < 100 && f.unit.context().taskSet().size() > 0; i++) {
                Thread.sleep(10); // each task leaves the set just after its completion ran
            }
            assertThat(f.unit.context().taskSet().size()).isZero();
        }
    }

    @Test
    void headOfQueueRunsBeforeAWaitingOrderedTask() throws Exception {
        try (Fixture f = slowAtZero()) {
            List<Long> order = new ArrayList<>();
            var first = write(f, 0, TaskAttribute.SIMPLE, order);
            var ordered = write(f, 5, TaskAttribute.ORDERED, order);
            var head = write(f, 9, TaskAttribute.HEAD_OF_QUEUE, order);
            head.get().assertGood();
            ordered.get().assertGood();
            first.get().assertGood();
            assertThat(order).containsExactly(9L, 0L, 5L);
        }
    }

    /** The slow device writes in two halves 200 ms apart; a read issued in between must not see half. */
    @Test
    void aReadOverlappingAWriteSeesAllOrNothingOfIt() throws Exception {
        try (Fixture f = slowAtZero()) {
            byte[] data = pattern(8 * 512, 5);
            var w = f.submit(rw10(0x2A, 0, 8, 0), data, TaskAttribute.SIMPLE);
            Thread.sleep(50);
            var r = f.submit(rw10(0x28, 0, 8, 0), null, TaskAttribute.SIMPLE);
            Fixture.await(w).assertGood();
            byte[] read = Fixture.await(r).assertGood().data();
            assertThat(Arrays.equals(read, data) || Arrays.equals(read, new byte[8 * 512]))
                    .as("read saw a torn write").isTrue();
            assertThat(read).isEqualTo(data);
        }
    }
}
