package io.platter.bench;

import io.netty.buffer.PooledByteBufAllocator;
import io.platter.lun.MemoryBlockDevice;
import io.platter.scsi.ItNexus;
import io.platter.scsi.LogicalUnit;
import io.platter.scsi.LunIdentity;
import io.platter.scsi.ScsiCommand;
import io.platter.scsi.ScsiResponse;
import io.platter.scsi.ScsiTarget;
import io.platter.scsi.TaskAttribute;
import io.platter.scsi.command.CommandSpec;
import io.platter.scsi.command.CommandTable;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * SCSI opcode dispatch (SPC-5 §4.2.5 opcode table, CDB checks, handler) through
 * {@link ScsiTarget#execute}: TEST UNIT READY (no I/O), INQUIRY (a built page) and READ(10) of
 * 8 blocks from an in-memory device, with block I/O run inline so only the core is measured;
 * and the bare table lookup.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class OpcodeDispatchBenchmark {

    private static final byte[] TEST_UNIT_READY = {0x00, 0, 0, 0, 0, 0};
    private static final byte[] INQUIRY = {0x12, 0, 0, 0, (byte) 0xff, 0};
    private static final byte[] READ_10 = {0x28, 0, 0, 0, 0x10, 0, 0, 0, 8, 0};

    private final ItNexus nexus = new ItNexus("iqn.2026-11.io.platter:bench,i,0x1", "iqn.2026-11.io.platter:t,t,1");
    private ScsiTarget target;
    private Blackhole blackhole;
    private Consumer<ScsiResponse> completion;

    @Setup(Level.Trial)
    public void setUp(Blackhole bh) {
        blackhole = bh;
        target = new ScsiTarget("iqn.2026-11.io.platter:t", PooledByteBufAllocator.DEFAULT);
        target.addLun(0, new LogicalUnit(new LunIdentity(new UUID(1, 2)), new MemoryBlockDevice(64 << 20),
                Runnable::run, PooledByteBufAllocator.DEFAULT));
        completion = response -> {
            blackhole.consume(response.status());
            if (response.dataIn() != null) {
                response.dataIn().release();
            }
        };
        // Touch the blocks once so reads copy real memory, not a hole.
        execute(new byte[] {0x2a, 0, 0, 0, 0x10, 0, 0, 0, 8, 0}, 0,
                PooledByteBufAllocator.DEFAULT.directBuffer(4096).writeZero(4096));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        target.unit(0).close();
    }

    private void execute(byte[] cdb, int inLength, io.netty.buffer.ByteBuf dataOut) {
        target.execute(new ScsiCommand(nexus, 0, cdb, TaskAttribute.SIMPLE, inLength, dataOut), completion);
    }

    @Benchmark
    public void testUnitReady() {
        execute(TEST_UNIT_READY, 0, null);
    }

    @Benchmark
    public void inquiry() {
        execute(INQUIRY, 255, null);
    }

    @Benchmark
    public void read10() {
        execute(READ_10, 4096, null);
    }

    @Benchmark
    public CommandSpec tableLookup() {
        return CommandTable.find(READ_10[0] & 0xff, READ_10[1] & 0x1f);
    }
}
