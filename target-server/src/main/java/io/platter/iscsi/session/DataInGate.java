package io.platter.iscsi.session;

import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * Bounds the Data-In one connection makes the daemon hold: a delivered command starts only while
 * the channel is writable (the outbound buffer is under its high water mark, {@link #WATER_MARK})
 * and, for a read, while the expected Data-In of the reads executing on the connection stays
 * within {@link #DATA_IN_PER_CONNECTION} (one read of any size may always run alone). Commands
 * that may not start yet wait here in CmdSN order and start, in order, when a read completes or
 * the channel becomes writable again. So an initiator that stops reading its socket makes the
 * daemon hold at most the water mark plus one connection's worth of executing reads.
 *
 * <p>Confined to the connection's event loop.
 */
final class DataInGate {
    /** Outbound bytes above which the channel is not writable, and below which it is again. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(2 << 20, 8 << 20);
    static final long DATA_IN_PER_CONNECTION = 32L << 20;

    private final Channel channel;
    private final Consumer<CommandTask> start;
    private final Deque<CommandTask> held = new ArrayDeque<>();
    private long reserved;

    /** @param start starts a task that may now run (the handler's {@code begin}) */
    DataInGate(Channel channel, Consumer<CommandTask> start) {
        this.channel = channel;
        this.start = start;
    }

    /** Whether {@code task}, just delivered, may start now (nothing older waits, room for its Data-In). */
    boolean mayStart(CommandTask task) {
        return held.isEmpty() && fits(task);
    }

    private boolean fits(CommandTask task) {
        if (!channel.isWritable()) {
            return false;
        }
        long need = dataIn(task);
        return need == 0 || reserved == 0 || reserved + need <= DATA_IN_PER_CONNECTION;
    }

    /** Keeps {@code task} until it may start. */
    void hold(CommandTask task) {
        task.held = true;
        held.addLast(task);
    }

    /** Reserves the Data-In of a task that starts. */
    void reserve(CommandTask task) {
        task.dataInReserved = dataIn(task);
        reserved += task.dataInReserved;
    }

    /** Gives back the reservation of a task that leaves the connection. */
    void unreserve(CommandTask task) {
        reserved -= task.dataInReserved;
        task.dataInReserved = 0;
    }

    /** Forgets a held task that was aborted. */
    void drop(CommandTask task) {
        if (task.held) {
            task.held = false;
            held.remove(task);
        }
    }

    /** Starts, in order, the held tasks that may now start. */
    void resume() {
        while (!held.isEmpty() && fits(held.peekFirst())) {
            CommandTask task = held.pollFirst();
            task.held = false;
            if (!task.aborted) {
                start.accept(task);
            }
        }
    }

    /** The connection is gone: nothing held starts any more. */
    void clear() {
        held.forEach(t -> t.held = false);
        held.clear();
    }

    private static long dataIn(CommandTask task) {
        return task.command.read() ? Math.max(0, task.expectedLength) : 0;
    }
}
