package io.platter.server.manage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Long volume operations (flatten, thick allocation, snapshot materialisation, copying an
 * import) as jobs the API can follow: the operation itself runs synchronously in its request,
 * and while it runs {@code job/list} and {@code job/show} report its progress from another
 * request. The last {@link #KEPT} finished jobs are kept so a poller sees how each ended.
 *
 * <p>Thread-safety: the registry is guarded by its own monitor, never by the configuration's, so
 * progress can be read while a management operation holds that one.
 */
public final class Jobs {

    static final int KEPT = 32;

    /** Where a job is. */
    public enum State {
        RUNNING("running"), DONE("done"), FAILED("failed");

        private final String word;

        State(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    private final AtomicLong ids = new AtomicLong();
    /** Set by {@link #cancelAll}: jobs running or started later stop at their next progress report. */
    private volatile boolean cancelled;
    /** Guarded by {@code this}. */
    private final List<Job> running = new ArrayList<>();
    /** Guarded by {@code this}; newest first. */
    private final Deque<Job> finished = new ArrayDeque<>();

    /** One long operation; {@link #accept} takes the bytes done so far. */
    public final class Job implements LongConsumer, AutoCloseable {
        final long id;
        final String operation;
        final String volume;
        final long totalBytes;
        private final AtomicLong doneBytes = new AtomicLong();
        private volatile State state = State.RUNNING;
        private volatile String error;

        private Job(long id, String operation, String volume, long totalBytes) {
            this.id = id;
            this.operation = operation;
            this.volume = volume;
            this.totalBytes = totalBytes;
        }

        /**
         * Records progress; once {@link #cancelAll} was called, throws instead, so the operation
         * stops between two steps (cooperatively: never an interrupt in the middle of image I/O,
         * which would close the image's file for every thread).
         */
        @Override
        public void accept(long done) {
            doneBytes.set(Math.min(done, totalBytes));
            if (cancelled) {
                throw ManagementException.failed(operation + " of " + volume + " cancelled: the daemon is stopping;"
                        + " what was done so far is kept, run it again after the restart");
            }
        }

        /** Marks the job failed with {@code message} (it ends when closed). */
        public void failed(String message) {
            error = message;
            state = State.FAILED;
        }

        /** Ends the job: done unless it failed. */
        @Override
        public void close() {
            if (state == State.RUNNING) {
                doneBytes.set(totalBytes);
                state = State.DONE;
            }
            ended(this);
        }

        Views.Job view() {
            return new Views.Job(id, operation, volume, state.word(), doneBytes.get(), totalBytes, error);
        }
    }

    /** Cancels every running job, and every job started from now on, at its next progress report. */
    public void cancelAll() {
        cancelled = true;
    }

    /** Starts a job; close it (try-with-resources) when the operation ends. */
    public synchronized Job start(String operation, String volume, long totalBytes) {
        Job j = new Job(ids.incrementAndGet(), operation, volume, totalBytes);
        running.add(j);
        return j;
    }

    private synchronized void ended(Job j) {
        if (running.remove(j)) {
            finished.addFirst(j);
            while (finished.size() > KEPT) {
                finished.removeLast();
            }
        }
    }

    /** Running jobs first, then the recently finished ones, newest first. */
    public synchronized List<Views.Job> list() {
        List<Views.Job> out = new ArrayList<>();
        running.forEach(j -> out.add(j.view()));
        finished.forEach(j -> out.add(j.view()));
        return out;
    }

    public synchronized Views.Job show(long id) {
        for (Views.Job j : list()) {
            if (j.id() == id) {
                return j;
            }
        }
        throw ManagementException.notFound("no job " + id + " (see platter job list)");
    }
}
