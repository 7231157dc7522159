package io.platter.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.platter.iscsi.pdu.Bhs;
import io.platter.iscsi.pdu.DataIn;
import io.platter.iscsi.pdu.PduDecoder;
import io.platter.iscsi.pdu.PduEncoder;
import io.platter.iscsi.pdu.ProtocolException;
import io.platter.iscsi.pdu.ScsiCommandPdu;
import io.platter.iscsi.pdu.ScsiResponsePdu;
import io.platter.lun.MemoryBlockDevice;
import io.platter.scsi.ItNexus;
import io.platter.scsi.LogicalUnit;
import io.platter.scsi.LunAddress;
import io.platter.scsi.LunIdentity;
import io.platter.scsi.ScsiCommand;
import io.platter.scsi.ScsiResponse;
import io.platter.scsi.ScsiStatus;
import io.platter.scsi.ScsiTarget;
import io.platter.scsi.TaskAttribute;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The steady-state data path of one 4 KiB (or 64 KiB) command, as the full feature phase runs it (RFC 7143
 * §11.3 SCSI Command in, §11.7 Data-In with status or §11.4 SCSI Response out): the command PDU
 * decoded from wire bytes (a write's immediate data as a retained slice of them, kept as it is
 * by {@code FullFeatureHandler} when it is the only Data-Out piece), the command dispatched through {@link ScsiTarget#execute} to an
 * in-memory LUN (a read completes on the calling thread as a page-cached read does; a write's I/O
 * runs inline), and the reply written through the server's {@link PduEncoder} in a channel
 * pipeline into pooled direct buffers, then released as the socket write would. Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is the garbage per command.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DataPathBenchmark {

    private static final int MAX_SEGMENT = 262144;
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    /** Bytes per command: the per-command garbage must not grow with it. */
    @Param({"4096", "65536"})
    public int length;

    private final ItNexus nexus = new ItNexus("iqn.2026-11.io.platter:bench,i,0x1", "iqn.2026-11.io.platter:t,t,1");
    private ScsiTarget target;
    /** The channel end of the path: the server's {@link PduEncoder} in a pipeline. */
    private EmbeddedChannel wire;
    private ByteBuf readWire;
    private ByteBuf writeWire;
    private int statSn;
    /** The PDU in flight, for the completion (the handler keeps it in its task). */
    private ScsiCommandPdu current;
    private int replyBytes;
    /** Set once the unit attentions of a new nexus are cleared: from then on every command must succeed. */
    private boolean steady;
    private final Consumer<ScsiResponse> completion = this::reply;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        wire = new EmbeddedChannel(new PduEncoder());
        wire.config().setAllocator(ALLOC);
        target = new ScsiTarget("iqn.2026-11.io.platter:t", ALLOC);
        target.addLun(0, new LogicalUnit(new LunIdentity(new UUID(1, 2)), new MemoryBlockDevice(64 << 20),
                Runnable::run, ALLOC));
        int blocks = length / 512;
        byte[] read = {0x28, 0, 0, 0, 0x10, 0, 0, (byte) (blocks >> 8), (byte) blocks, 0, 0, 0, 0, 0, 0, 0};
        byte[] write = {0x2a, 0, 0, 0, 0x10, 0, 0, (byte) (blocks >> 8), (byte) blocks, 0, 0, 0, 0, 0, 0, 0};
        readWire = PduEncoder.encode(ALLOC, new ScsiCommandPdu(false, true, true, false, 1, 0L, 0x1234, length, 7, 3,
                read, Unpooled.EMPTY_BUFFER), false, false);
        ByteBuf immediate = ALLOC.directBuffer(length).writeZero(length);
        writeWire = PduEncoder.encode(ALLOC, new ScsiCommandPdu(false, true, false, true, 1, 0L, 0x1235, length, 8, 3,
                write, immediate), false, false);
        // The nexus's first command meets POWER ON, RESET (SAM-5 §5.14): take it here.
        for (int i = 0; i < 4; i++) {
            readCommand();
        }
        steady = true;
        writeCommand(); // the blocks hold data, so reads copy memory rather than zero a hole
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        readWire.release();
        writeWire.release();
        target.unit(0).close();
        wire.finishAndReleaseAll();
    }

    @Benchmark
    public int readCommand() throws ProtocolException {
        return run(readWire, false);
    }

    @Benchmark
    public int writeCommand() throws ProtocolException {
        return run(writeWire, true);
    }

    private int run(ByteBuf wire, boolean write) throws ProtocolException {
        ScsiCommandPdu pdu = (ScsiCommandPdu) PduDecoder.decodeOne(wire, false, false, MAX_SEGMENT);
        wire.readerIndex(0); // the same bytes arrive again next time
        // The handler keeps a write's only Data-Out piece as it is (a composite gathers several).
        ByteBuf dataOut = write ? pdu.data().retain() : null;
        pdu.data().release();
        current = pdu;
        target.execute(new ScsiCommand(nexus, LunAddress.decode(pdu.lun()), pdu.cdb(),
                TaskAttribute.fromWire(pdu.attribute()), pdu.read() ? pdu.expectedDataTransferLength() : 0, dataOut),
                completion);
        return replyBytes;
    }

    /** Data-In with status (phase collapse) for a read, a SCSI Response for anything else. */
    private void reply(ScsiResponse response) {
        ScsiCommandPdu pdu = current;
        ByteBuf dataIn = response.dataIn();
        if (dataIn != null && response.status() == ScsiStatus.GOOD) {
            wire.write(new DataIn(Bhs.FINAL | DataIn.STATUS, 0, pdu.lun(), pdu.itt(),
                    Bhs.RESERVED_TAG, statSn++, pdu.cmdSn() + 1, pdu.cmdSn() + 32, 0, 0, 0,
                    dataIn.retainedSlice()), wire.voidPromise());
            dataIn.release();
        } else {
            if (dataIn != null) {
                dataIn.release();
            }
            if (steady && response.status() != ScsiStatus.GOOD) {
                throw new IllegalStateException("command failed: " + response.status());
            }
            wire.write(new ScsiResponsePdu(0, 0, 0, pdu.itt(), 0, statSn++, pdu.cmdSn() + 1,
                    pdu.cmdSn() + 32, 0, 0, 0, Unpooled.EMPTY_BUFFER), wire.voidPromise());
        }
        wire.flush();
        int bytes = 0;
        for (Object o = wire.readOutbound(); o != null; o = wire.readOutbound()) {
            ByteBuf b = (ByteBuf) o;
            bytes += b.readableBytes();
            b.release(); // as the socket write does
        }
        replyBytes = bytes;
    }
}
