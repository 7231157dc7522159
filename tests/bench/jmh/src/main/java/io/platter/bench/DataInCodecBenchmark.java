package io.platter.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.platter.iscsi.pdu.DataIn;
import io.platter.iscsi.pdu.Pdu;
import io.platter.iscsi.pdu.PduDecoder;
import io.platter.iscsi.pdu.PduEncoder;
import io.platter.iscsi.pdu.ProtocolException;
import java.util.concurrent.TimeUnit;
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
 * The PDU codec on the read path's Data-In (RFC 7143 §11.7): a Data-In with status carrying
 * {@code payload} bytes encoded onto the wire and decoded back, with and without a header digest.
 * Every buffer is pooled and direct, as on the server; each operation releases what it produced.
 * The SCSI Command side is {@link ScsiCommandCodecBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DataInCodecBenchmark {

    private static final int MAX_SEGMENT = 262144;
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    @Param({"false", "true"})
    public boolean headerDigest;

    @Param({"4096", "65536"})
    public int payload;

    private ByteBuf dataInWire;
    private ByteBuf data;

    @Setup(Level.Trial)
    public void setUp() {
        data = ALLOC.directBuffer(payload).writeZero(payload);
        dataInWire = PduEncoder.encode(ALLOC, dataIn(data.retainedSlice()), headerDigest, false);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        dataInWire.release();
        data.release();
    }

    private static DataIn dataIn(ByteBuf slice) {
        return new DataIn(0x80 | DataIn.STATUS, 0, 0L, 0x1234, -1, 9, 8, 40, 0, 0, 0, slice);
    }

    @Benchmark
    public int decodeDataIn() throws ProtocolException {
        Pdu pdu = PduDecoder.decodeOne(dataInWire.duplicate(), headerDigest, false, MAX_SEGMENT);
        int length = pdu.data().readableBytes();
        pdu.release();
        return length;
    }

    @Benchmark
    public int encodeDataIn() {
        ByteBuf out = PduEncoder.encode(ALLOC, dataIn(data.retainedSlice()), headerDigest, false);
        int length = out.readableBytes();
        out.release();
        return length;
    }
}
