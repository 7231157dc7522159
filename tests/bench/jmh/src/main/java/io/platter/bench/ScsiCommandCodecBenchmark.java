package io.platter.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.platter.iscsi.pdu.Pdu;
import io.platter.iscsi.pdu.PduDecoder;
import io.platter.iscsi.pdu.PduEncoder;
import io.platter.iscsi.pdu.ProtocolException;
import io.platter.iscsi.pdu.ScsiCommandPdu;
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
 * The PDU codec on a SCSI Command (RFC 7143 §11.3): a READ(10) of 8 blocks decoded from the wire
 * and encoded onto it, with and without a header digest, on pooled direct buffers.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ScsiCommandCodecBenchmark {

    private static final int MAX_SEGMENT = 262144;
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    @Param({"false", "true"})
    public boolean headerDigest;

    private ByteBuf commandWire;

    @Setup(Level.Trial)
    public void setUp() {
        commandWire = PduEncoder.encode(ALLOC, read10(), headerDigest, false);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        commandWire.release();
    }

    private static ScsiCommandPdu read10() {
        byte[] cdb = {0x28, 0, 0, 0, 0x10, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0};
        return new ScsiCommandPdu(false, true, true, false, 1, 0L, 0x1234, 4096, 7, 3, cdb, Unpooled.EMPTY_BUFFER);
    }

    @Benchmark
    public int decodeScsiCommand() throws ProtocolException {
        Pdu pdu = PduDecoder.decodeOne(commandWire.duplicate(), headerDigest, false, MAX_SEGMENT);
        int itt = ((ScsiCommandPdu) pdu).itt();
        pdu.release();
        return itt;
    }

    @Benchmark
    public int encodeScsiCommand() {
        ByteBuf out = PduEncoder.encode(ALLOC, read10(), headerDigest, false);
        int length = out.readableBytes();
        out.release();
        return length;
    }
}
