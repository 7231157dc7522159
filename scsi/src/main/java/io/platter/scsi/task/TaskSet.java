package io.platter.scsi.task;

import io.platter.scsi.TaskAttribute;
import java.util.ArrayList;
import java.util.List;

/**
 * The task set of one logical unit and its task attribute rules (SAM-5 §8.6, with the queue
 * algorithm modifier 1, unrestricted reordering, of the control mode page): SIMPLE tasks run
 * concurrently once every older ORDERED task has completed; an ORDERED task starts only when
 * every older task has completed, and every later task waits for it; a HEAD OF QUEUE task
 * starts at once. UNTAGGED and ACA tasks are treated as SIMPLE.
 *
 * <p>Starting is never blocking: a task that must wait is kept and started by the completion
 * that makes it eligible, on that completion's thread. Shared state is guarded by {@code this};
 * start callbacks run outside it.
 */
public final class TaskSet {

    /** One task in the set: its attribute and how to start it. */
    public static final class Entry {
        private final TaskAttribute attribute;
        private final Runnable start;
        private boolean running;

        public Entry(TaskAttribute attribute, Runnable start) {
            this.attribute = attribute;
            this.start = start;
        }
    }

    /** Tasks not yet completed, oldest first (arrival order; HEAD OF QUEUE too, as it runs at once). */
    private final List<Entry> active = new ArrayList<>();

    /** Enters a task that has just arrived; starts it now if its attribute allows. */
    public void admit(Entry entry) {
        boolean now;
        synchronized (this) {
            active.add(entry);
            now = eligible(active.size() - 1);
            entry.running = now;
        }
        if (now) {
            entry.start.run();
        }
    }

    /** Removes a completed task and starts every waiting task that became eligible. */
    public void done(Entry entry) {
        List<Entry> started = new ArrayList<>();
        synchronized (this) {
            if (!active.remove(entry)) {
                throw new IllegalStateException("task not in the task set");
            }
            for (int i = 0; i < active.size(); i++) {
                Entry e = active.get(i);
                if (!e.running && eligible(i)) {
                    e.running = true;
                    started.add(e);
                }
            }
        }
        for (Entry e : started) {
            e.start.run();
        }
    }

    /** Tasks entered and not yet completed. */
    public synchronized int size() {
        return active.size();
    }

    private boolean eligible(int index) {
        Entry e = active.get(index);
        return switch (e.attribute) {
            case HEAD_OF_QUEUE -> true;
            case ORDERED -> index == 0;
            default -> !olderOrdered(index);
        };
    }

    private boolean olderOrdered(int index) {
        for (int i = 0; i < index; i++) {
            if (active.get(i).attribute == TaskAttribute.ORDERED) {
                return true;
            }
        }
        return false;
    }
}
