package io.platter.iscsi.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.platter.lun.ForwardingDevice;
import io.platter.lun.MemoryBlockDevice;
import io.platter.scsi.LogicalUnit;
import io.platter.scsi.LunIdentity;
import io.platter.scsi.ScsiTarget;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * The server side of embedded-pipeline tests: one target with one 1 MiB in-memory LUN whose
 * block I/O waits in a queue until the test runs it (a device as slow as the test wants).
 * Test support.
 */
final class Server {
    static final String TARGET = "iqn.2024-01.io.platter:disk1";

    final Queue<Runnable> io = new ArrayDeque<>();
    final Executor ioExecutor = io::add;
    final ScsiTarget scsi = new ScsiTarget(TARGET, PooledByteBufAllocator.DEFAULT);
    final TargetRegistry targets;
    final SessionRegistry sessions = new SessionRegistry();
    final ServerLimits limits;

    Server(ServerLimits limits) {
        this(limits, null);
    }

    /** With {@code realIo} the LUN's block I/O runs there instead of waiting for {@link #runIo()}. */
    Server(ServerLimits limits, Executor realIo) {
        this.limits = limits;
        scsi.addLun(0, new LogicalUnit(new LunIdentity(UUID.fromString("8a1e3c52-6f0b-4b8e-9d1a-2c3b4d5e6f70")),
                new Uncached(new MemoryBlockDevice(1 << 20)), realIo == null ? ioExecutor : realIo,
                PooledByteBufAllocator.DEFAULT));
        targets = new TargetRegistry(List.of(new ExportedTarget(TARGET, null, 1, scsi)));
    }

    Server() {
        this(ServerLimits.defaults());
    }

    /** A memory device that never reads without the executor, so every read waits for {@link #runIo()}. */
    private static final class Uncached extends ForwardingDevice {
        Uncached(MemoryBlockDevice inner) {
            super(inner);
        }

        @Override
        public boolean readIfCached(long offset, int length, ByteBuf dst) {
            return false;
        }
    }

    /** Runs every queued block I/O (and what those queue in turn); returns how many ran. */
    int runIo() {
        int n = 0;
        for (Runnable r = io.poll(); r != null; r = io.poll()) {
            r.run();
            n++;
        }
        return n;
    }
}
