package io.platter.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.platter.scsi.command.CommandSpec;
import io.platter.scsi.command.CommandTable;
import io.platter.testing.NettyLeakExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;

/** Arbitrary CDBs into the target: always exactly one response, GOOD or CHECK CONDITION with sense, no leaks. */
class ArbitraryCdbTest {

    private static final ExecutorService IO = Executors.newFixedThreadPool(2);

    record Input(byte[] cdb, int lun, int dataOutLength, boolean threaded) { }

    @Provide
    Arbitrary<Input> commands() {
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMinSize(6).ofMaxSize(16);
        Arbitrary<byte[]> small = Arbitraries.bytes().between((byte) 0, (byte) 3).array(byte[].class)
                .ofMinSize(16).ofMaxSize(16);
        // Random bytes, a table opcode with random bytes, or a table opcode with small values that
        // respect its usage mask (so that a fair share of commands succeed).
        Arbitrary<byte[]> cdb = Arbitraries.oneOf(
                raw,
                Combinators.combine(Arbitraries.of(CommandTable.rows()), raw).as(ArbitraryCdbTest::withOpcode),
                Combinators.combine(Arbitraries.of(CommandTable.rows()), small, Arbitraries.of(false, true))
                        .as(ArbitraryCdbTest::masked));
        return Combinators.combine(cdb, Arbitraries.of(0, 0, 0, 1),
                Arbitraries.integers().between(-1, 4096), Arbitraries.of(false, true)).as(Input::new);
    }

    private static byte[] withOpcode(CommandSpec spec, byte[] raw) {
        byte[] cdb = raw.clone();
        cdb[0] = (byte) spec.opcode();
        return cdb;
    }

    private static byte[] masked(CommandSpec spec, byte[] small, boolean padTo16) {
        byte[] cdb = new byte[padTo16 ? 16 : spec.cdbLength()];
        for (int i = 0; i < spec.cdbLength(); i++) {
            cdb[i] = (byte) (small[i] & spec.usageMask(i));
        }
        cdb[0] = (byte) spec.opcode();
        if (spec.serviceAction() >= 0) {
            cdb[1] = (byte) spec.serviceAction();
        }
        return cdb;
    }

    @Property(tries = 3000)
    void everyCdbYieldsExactlyOneWellFormedResponse(@ForAll("commands") Input in) throws Exception {
        MemoryDevice device = new MemoryDevice(64 * 512, false);
        ScsiTarget target = new ScsiTarget("t", Fixture.ALLOC);
        target.addLun(0, new LogicalUnit(new LunIdentity(UUID.randomUUID()), device,
                in.threaded() ? IO : Runnable::run, Fixture.ALLOC));
        ByteBuf out = in.dataOutLength() < 0 ? null : Fixture.ALLOC.buffer(in.dataOutLength()).writeZero(in.dataOutLength());
        List<ScsiResponse> responses = new ArrayList<>();
        target.execute(new ScsiCommand(null, in.lun(), in.cdb(), TaskAttribute.SIMPLE, 65536, out), r -> {
            synchronized (responses) {
                responses.add(r);
                responses.notifyAll();
            }
        });
        synchronized (responses) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (responses.isEmpty() && System.nanoTime() < deadline) {
                responses.wait(100);
            }
        }
        assertThat(responses).hasSize(1);
        ScsiResponse r = responses.get(0);
        if (out != null) {
            assertThat(out.refCnt()).isZero();
        }
        if (r.status() == ScsiStatus.GOOD) {
            assertThat(r.sense()).isNull();
        } else {
            assertThat(r.status()).isEqualTo(ScsiStatus.CHECK_CONDITION);
            assertThat(r.dataIn()).isNull();
            assertThat(r.sense()).isNotNull();
            assertThat(r.sense()[0] & 0x7f).isIn(0x70, 0x72);
        }
        if (r.dataIn() != null) {
            r.dataIn().release();
        }
        Statistics.collect(r.status());
        Statistics.coverage(c -> {
            c.check(ScsiStatus.GOOD).percentage(p -> p > 2);
            c.check(ScsiStatus.CHECK_CONDITION).percentage(p -> p > 30);
        });
    }

    @AfterContainer
    static void noLeaks() throws Exception {
        IO.shutdown();
        assertThat(IO.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(NettyLeakExtension.collect()).isEmpty();
    }
}
