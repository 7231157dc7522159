package io.platter.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.platter.scsi.command.CommandSpec;
import io.platter.scsi.command.CommandTable;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Arbitrary CDBs into the target through a real I_T nexus, with a unit attention pending or not and
 * the unit reserved (SPC-2, or persistently Write Exclusive / Exclusive Access) by this nexus,
 * another one or none: always exactly one response, GOOD, CHECK CONDITION with sense or
 * RESERVATION CONFLICT without, no leaks, and no internal error (a bug answered politely).
 */
class ArbitraryCdbTest {

    private static final ExecutorService IO = Executors.newFixedThreadPool(2);
    private static final ItNexus A = new ItNexus("iqn.fuzz-a,i,0x1", "iqn.t,t,0x1");
    private static final ItNexus B = new ItNexus("iqn.fuzz-b,i,0x2", "iqn.t,t,0x1");

    /** Who holds which reservation before the command. */
    enum Holder { NONE, SPC2_OTHER, SPC2_SELF, WRITE_EXCLUSIVE_OTHER, EXCLUSIVE_ACCESS_OTHER, EXCLUSIVE_ACCESS_SELF }

    record Input(byte[] cdb, int lun, int dataOutLength, boolean threaded, boolean attentionPending, Holder holder) {
        @Override
        public String toString() {
            return "Input[cdb=" + io.netty.buffer.ByteBufUtil.hexDump(cdb) + ", lun=" + lun + ", dataOutLength="
                    + dataOutLength + ", threaded=" + threaded + ", attentionPending=" + attentionPending
                    + ", holder=" + holder + "]";
        }
    }

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
                Arbitraries.integers().between(-1, 4096), Arbitraries.of(false, true), Arbitraries.of(false, true),
                Arbitraries.of(Holder.values())).as(Input::new);
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

    /** Sets up the reservation and unit attention state the input asks for, through ordinary commands. */
    private static void prepare(ScsiTarget target, Input in) {
        ItNexus other = B;
        for (ItNexus n : List.of(A, other)) {
            // Each new nexus starts with POWER ON, RESET (SAM-5 §5.14); TEST UNIT READY reports it.
            Fixture.run(target, n, 0, Fixture.cdb(0x00, 0, 0, 0, 0, 0), null).assertCheck(6, 0x29, 0);
        }
        switch (in.holder()) {
            case SPC2_OTHER -> Fixture.run(target, other, 0, Fixture.cdb(0x16, 0, 0, 0, 0, 0), null).assertGood();
            case SPC2_SELF -> Fixture.run(target, A, 0, Fixture.cdb(0x16, 0, 0, 0, 0, 0), null).assertGood();
            case WRITE_EXCLUSIVE_OTHER -> persistent(target, other, 1);
            case EXCLUSIVE_ACCESS_OTHER -> persistent(target, other, 3);
            case EXCLUSIVE_ACCESS_SELF -> persistent(target, A, 3);
            case NONE -> { }
        }
        if (in.attentionPending()) {
            target.unit(0).unitAttentions().raise(A, io.platter.scsi.sense.Sense.MODE_PARAMETERS_CHANGED);
        }
    }

    /** REGISTER key 0x42, then RESERVE of {@code type} (SPC-5 §6.16). */
    private static void persistent(ScsiTarget target, ItNexus nexus, int type) {
        byte[] register = java.nio.ByteBuffer.allocate(24).putLong(0).putLong(0x42).array();
        Fixture.run(target, nexus, 0, Fixture.cdb(0x5F, 0, 0, 0, 0, 0, 0, 0, 24, 0),
                io.netty.buffer.Unpooled.wrappedBuffer(register)).assertGood();
        byte[] reserve = java.nio.ByteBuffer.allocate(24).putLong(0x42).putLong(0).array();
        Fixture.run(target, nexus, 0, Fixture.cdb(0x5F, 1, type, 0, 0, 0, 0, 0, 24, 0),
                io.netty.buffer.Unpooled.wrappedBuffer(reserve)).assertGood();
    }

    @Property(tries = 3000)
    void everyCdbYieldsExactlyOneWellFormedResponse(@ForAll("commands") Input in) throws Exception {
        long internalErrors = InternalErrors.count();
        MemoryDevice device = new MemoryDevice(64 * 512, false);
        ScsiTarget target = new ScsiTarget("t", Fixture.ALLOC);
        target.addLun(0, new LogicalUnit(new LunIdentity(UUID.randomUUID()), device,
                in.threaded() ? IO : Runnable::run, Fixture.ALLOC));
        prepare(target, in);
        ByteBuf out = in.dataOutLength() < 0 ? null : Fixture.ALLOC.buffer(in.dataOutLength()).writeZero(in.dataOutLength());
        List<ScsiResponse> responses = new ArrayList<>();
        target.execute(new ScsiCommand(A, in.lun(), in.cdb(), TaskAttribute.SIMPLE, 65536, out), r -> {
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
        } else if (r.status() == ScsiStatus.RESERVATION_CONFLICT) {
            assertThat(in.holder()).isNotEqualTo(Holder.NONE);
            assertThat(r.sense()).isNull();
            assertThat(r.dataIn()).isNull();
        } else {
            assertThat(r.status()).isEqualTo(ScsiStatus.CHECK_CONDITION);
            assertThat(r.dataIn()).isNull();
            assertThat(r.sense()).isNotNull();
            assertThat(r.sense()[0] & 0x7f).isIn(0x70, 0x72);
        }
        if (r.dataIn() != null) {
            r.dataIn().release();
        }
        assertThat(InternalErrors.count()).as("internal errors").isEqualTo(internalErrors);
        Statistics.collect(r.status());
        Statistics.label("path").collect(in.attentionPending() ? "attention" : in.holder().name());
        Statistics.coverage(c -> {
            c.check(ScsiStatus.GOOD).percentage(p -> p > 2);
            c.check(ScsiStatus.CHECK_CONDITION).percentage(p -> p > 30);
        });
    }

    /**
     * Found by this property: REGISTER AND MOVE with a PARAMETER LIST LENGTH longer than the
     * Data-Out read past the buffer (an internal error) instead of PARAMETER LIST LENGTH ERROR.
     */
    @Example
    void registerAndMoveWithLessDataOutThanItsListLengthIsAParameterListLengthError() {
        ScsiTarget target = new ScsiTarget("t", Fixture.ALLOC);
        target.addLun(0, new LogicalUnit(new LunIdentity(UUID.randomUUID()), new MemoryDevice(64 * 512, false),
                Runnable::run, Fixture.ALLOC));
        long internalErrors = InternalErrors.count();
        Fixture.run(target, A, 0, Fixture.cdb(0x00, 0, 0, 0, 0, 0), null).assertCheck(6, 0x29, 0);
        Fixture.run(target, A, 0, Fixture.cdb(0x5F, 0x07, 0, 0, 0, 0, 0, 1, 0, 0), Fixture.ALLOC.buffer(0))
                .assertCheck(5, 0x1A, 0);
        assertThat(InternalErrors.count()).isEqualTo(internalErrors);
    }

    /** Leaks are checked after this by the global {@code NettyLeakHook}, once no I/O thread holds a buffer. */
    @AfterContainer
    static void stopIo() throws Exception {
        IO.shutdown();
        assertThat(IO.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
}
