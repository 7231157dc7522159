package io.platter.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random sequences of UNMAP, WRITE SAME (10)/(16) and GET LBA STATUS on a thin unit against a
 * model of its contents and allocation: every command's status, every LBA status descriptor and
 * the final contents must agree with the model.
 */
class ThinProvisioningPropertyTest {

    private static final int BLOCKS = 64;
    private static final int BLOCK = 512;
    private static final int GLS_ALLOCATION = 8 + 16 * 8;

    enum Kind { UNMAP, WRITE_SAME_10, WRITE_SAME_16, GET_LBA_STATUS }

    /** One command; {@code fill} is the byte WRITE SAME repeats (0 often, to exercise unmapping). */
    record Op(Kind kind, int lba, int blocks, int fill, boolean unmap) { }

    /** What the unit should hold. */
    static final class Model {
        final byte[] data = new byte[BLOCKS * BLOCK];
        final boolean[] mapped = new boolean[BLOCKS];

        void deallocate(int lba, int blocks) {
            Arrays.fill(data, lba * BLOCK, (lba + blocks) * BLOCK, (byte) 0);
            Arrays.fill(mapped, lba, lba + blocks, false);
        }

        void write(int lba, int blocks, int fill) {
            Arrays.fill(data, lba * BLOCK, (lba + blocks) * BLOCK, (byte) fill);
            Arrays.fill(mapped, lba, lba + blocks, true);
        }

        /** The expected GET LBA STATUS descriptors from {@code lba}: (lba, count, status) runs. */
        List<long[]> runs(int lba, int max) {
            List<long[]> runs = new ArrayList<>();
            int at = lba;
            while (at < BLOCKS && runs.size() < max) {
                int end = at;
                while (end < BLOCKS && mapped[end] == mapped[at]) {
                    end++;
                }
                runs.add(new long[] {at, end - at, mapped[at] ? 0 : 1});
                at = end;
            }
            return runs;
        }
    }

    @Provide
    Arbitrary<List<Op>> sequences() {
        Arbitrary<Op> op = Combinators.combine(
                Arbitraries.of(Kind.values()),
                Arbitraries.integers().between(0, BLOCKS + 4),
                Arbitraries.integers().between(0, 24),
                Arbitraries.of(0, 0, 0x11, 0xA6),
                Arbitraries.of(false, true)).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(30);
    }

    @Property(tries = 300)
    void commandsAgreeWithTheModel(@ForAll("sequences") List<Op> ops) {
        Model model = new Model();
        try (Fixture f = Fixture.thin(BLOCKS)) {
            for (Op op : ops) {
                apply(f, model, op);
            }
            byte[] all = f.run(Fixture.rw10(0x28, 0, BLOCKS, 0)).assertGood().data();
            assertThat(all).isEqualTo(model.data);
        }
    }

    private static void apply(Fixture f, Model model, Op op) {
        boolean inRange = op.lba() + op.blocks() <= BLOCKS;
        switch (op.kind()) {
            case UNMAP -> {
                byte[] list = Thin.unmapList(op.lba(), op.blocks());
                Fixture.Result r = f.run(Thin.unmap(list.length, 0), list);
                if (inRange) {
                    r.assertGood();
                    model.deallocate(op.lba(), op.blocks());
                } else {
                    r.assertCheck(5, 0x21, 0);
                }
            }
            case WRITE_SAME_10, WRITE_SAME_16 -> {
                int flags = op.unmap() ? Thin.UNMAP_BIT : 0;
                byte[] cdb = op.kind() == Kind.WRITE_SAME_10
                        ? Thin.writeSame10(op.lba(), op.blocks(), flags)
                        : Thin.writeSame16(op.lba(), op.blocks(), flags);
                Fixture.Result r = f.run(cdb, Thin.block(op.fill()));
                // NUMBER OF LOGICAL BLOCKS 0: through the last block (WSNZ=0, SBC-4 §5.44).
                int blocks = op.blocks() == 0 ? BLOCKS - op.lba() : op.blocks();
                if (!inRange || blocks <= 0) {
                    r.assertCheck(5, 0x21, 0);
                } else {
                    r.assertGood();
                    if (op.unmap() && op.fill() == 0) {
                        model.deallocate(op.lba(), blocks);
                    } else {
                        model.write(op.lba(), blocks, op.fill());
                    }
                }
            }
            case GET_LBA_STATUS -> {
                Fixture.Result r = f.run(Thin.getLbaStatus(op.lba(), GLS_ALLOCATION));
                if (op.lba() >= BLOCKS) {
                    r.assertCheck(5, 0x21, 0);
                    return;
                }
                r.assertGood();
                List<long[]> expected = model.runs(op.lba(), (GLS_ALLOCATION - 8) / 16);
                ByteBuffer d = ByteBuffer.wrap(r.data());
                assertThat(d.getInt(0)).isEqualTo(4 + 16 * expected.size());
                assertThat(r.data()).hasSize(8 + 16 * expected.size());
                for (int i = 0; i < expected.size(); i++) {
                    int at = 8 + 16 * i;
                    assertThat(new long[] {d.getLong(at), d.getInt(at + 8) & 0xFFFF_FFFFL, d.get(at + 12)})
                            .as("descriptor %d of %s", i, op).containsExactly(expected.get(i));
                }
            }
            default -> throw new AssertionError(op);
        }
    }
}
