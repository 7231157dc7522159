package io.platter.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.platter.lun.BlockDevice;
import io.platter.lun.RawImage;
import io.platter.lun.qcow2.Qcow2Image;
import io.platter.testing.NettyLeakExtension;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * A model-based concurrency property of the medium rules: rounds of random WRITE, WRITE SAME (with
 * and without UNMAP, zeros or data), UNMAP, COMPARE AND WRITE, WRITE AND VERIFY, EXTENDED COPY and
 * READ from three I_T nexuses on a few overlapping blocks of a raw or a qcow2 image, run
 * concurrently on the unit's I/O threads, with logical unit resets (every nexus then gets a unit
 * attention and its next command does nothing) and commands cancelled before admission.
 *
 * <p>Each written block carries its command's tag and its LBA, so the state after a round names,
 * per block, the command that wrote it last (a zero block: one of the commands writing zeros; a
 * copied block: the copy). The check is linearizability against the model of a serial medium:
 * there must be one serial order of the round's commands that completed GOOD (failed ones did
 * nothing) in which every block's last writer is last, every GOOD COMPARE AND WRITE comes before
 * every other write to its blocks (it compared the round's starting data), which rules out torn
 * multi-block writes and two winners of one compare. Reads during a round must see no command
 * half done and nothing of a command that failed; WRITE AND VERIFY never miscompares; nothing is
 * an internal error. The number of tries is {@code -Dplatter.model.tries} (default 50, a few seconds).
 */
class MediumModelPropertyTest {

    static final int SPAN = 16;
    private static final int BLOCK = 512;
    private static final long LUN_BYTES = 1 << 20;
    private static final long INITIAL = 1L << 62;
    private static final ExecutorService IO = Executors.newFixedThreadPool(4);
    private static final List<ItNexus> NEXUSES = List.of(new ItNexus("iqn.m,i,0x1", "iqn.t,t,0x1"),
            new ItNexus("iqn.m,i,0x2", "iqn.t,t,0x1"), new ItNexus("iqn.m,i,0x3", "iqn.t,t,0x1"));
    private static long nextTag = 1;

    /** {@code -Dplatter.model.tries=N} runs the property N times instead of the default. */
    public static final class Tries implements AroundPropertyHook {
        @Override
        public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
            Integer tries = Integer.getInteger("platter.model.tries");
            if (tries != null) {
                context.attributes().setTries(tries);
            }
            return property.execute();
        }
    }

    enum Kind { WRITE, WRITE_SAME, WRITE_SAME_ZEROS, WRITE_SAME_UNMAP, UNMAP, COMPARE_AND_WRITE, WRITE_AND_VERIFY,
        XCOPY, READ, LU_RESET, CANCELLED }

    /** One command of a round: {@code lba..lba+blocks}, and the source LBA of a copy. */
    record Op(Kind kind, int nexus, int lba, int blocks, int source) {
        boolean writes() {
            return kind != Kind.READ && kind != Kind.LU_RESET && kind != Kind.CANCELLED;
        }

        boolean zeros() {
            return kind == Kind.WRITE_SAME_ZEROS || kind == Kind.WRITE_SAME_UNMAP || kind == Kind.UNMAP;
        }

        boolean covers(int b) {
            return b >= lba && b < lba + blocks;
        }

        /** The block of the copy's source that lands on {@code b}. */
        int sourceOf(int b) {
            return source + (b - lba);
        }
    }

    record Scenario(boolean qcow2, List<List<Op>> rounds) { }

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<Op> op = Combinators.combine(
                Arbitraries.of(Kind.values()), Arbitraries.integers().between(0, NEXUSES.size() - 1),
                Arbitraries.integers().between(0, SPAN - 1), Arbitraries.integers().between(1, 5),
                Arbitraries.integers().between(0, SPAN - 1)).as((kind, nexus, lba, blocks, source) -> {
                    int n = Math.min(blocks, SPAN - Math.max(lba, source));
                    if (kind == Kind.XCOPY && source == lba) {
                        return new Op(Kind.WRITE, nexus, lba, n, source);
                    }
                    return new Op(kind, nexus, lba, n, source);
                });
        return Combinators.combine(Arbitraries.of(false, true),
                op.list().ofMinSize(2).ofMaxSize(10).list().ofMinSize(1).ofMaxSize(4)).as(Scenario::new);
    }

    @Property(tries = 50)
    @AddLifecycleHook(Tries.class)
    void concurrentCommandsAreLinearizableOnRawAndQcow2(@ForAll("scenarios") Scenario scenario) throws Exception {
        long internalErrors = InternalErrors.count();
        Path dir = Files.createTempDirectory("platter-model");
        Path file = dir.resolve(scenario.qcow2() ? "lun.qcow2" : "lun.raw");
        BlockDevice device = scenario.qcow2() ? Qcow2Image.create(file, LUN_BYTES) : RawImage.create(file, LUN_BYTES, false);
        try {
            ScsiTarget target = new ScsiTarget("iqn.t", Fixture.ALLOC);
            target.addLun(0, new LogicalUnit(new LunIdentity(UUID.randomUUID()), device, IO, Fixture.ALLOC));
            long naa = target.unit(0).identity().naa();
            clearAttentions(target);
            byte[][] state = new byte[SPAN][];
            for (int b = 0; b < SPAN; b++) {
                state[b] = block(INITIAL + b, b);
                run(target, NEXUSES.get(0), Fixture.rw10(0x2A, b, 1, 0), state[b]).assertGood();
            }
            for (List<Op> round : scenario.rounds()) {
                state = runRound(target, naa, round, state);
            }
        } finally {
            device.close();
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
        assertThat(InternalErrors.count()).as("internal errors").isEqualTo(internalErrors);
    }

    @AfterContainer
    static void shutDown() throws Exception {
        IO.shutdown();
        assertThat(IO.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(NettyLeakExtension.collect()).isEmpty();
    }

    /** Runs one round concurrently, checks it against the model and returns the state after it. */
    private static byte[][] runRound(ScsiTarget target, long naa, List<Op> round, byte[][] start) throws Exception {
        Map<Integer, Long> tags = new HashMap<>();
        List<CompletableFuture<ScsiResponse>> futures = new ArrayList<>();
        for (int i = 0; i < round.size(); i++) {
            Op op = round.get(i);
            tags.put(i, nextTag++);
            if (op.kind() == Kind.LU_RESET) {
                target.reset(NEXUSES.get(op.nexus()), ResetScope.LOGICAL_UNIT, 0);
                futures.add(null);
            } else if (op.kind() == Kind.CANCELLED) {
                futures.add(null);       // aborted before admission: it must leave no trace
            } else {
                futures.add(submit(target, NEXUSES.get(op.nexus()), cdb(op, naa), dataOut(op, tags.get(i), start, naa)));
            }
        }
        Map<Integer, Fixture.Result> results = new LinkedHashMap<>();
        for (int i = 0; i < round.size(); i++) {
            if (futures.get(i) != null) {
                results.put(i, Fixture.await(futures.get(i)));
            }
        }
        Set<Integer> good = new HashSet<>();
        for (Map.Entry<Integer, Fixture.Result> e : results.entrySet()) {
            Op op = round.get(e.getKey());
            Fixture.Result r = e.getValue();
            String what = op + " in round " + round;
            if (r.status() == ScsiStatus.GOOD) {
                if (op.writes()) {
                    good.add(e.getKey());
                }
                continue;
            }
            assertThat(r.status()).as(what).isEqualTo(ScsiStatus.CHECK_CONDITION);
            boolean attention = r.senseKey() == 6 && r.asc() == 0x29;
            boolean miscompare = op.kind() == Kind.COMPARE_AND_WRITE && r.senseKey() == 0x0E && r.asc() == 0x1D;
            assertThat(attention || miscompare).as("only unit attentions and COMPARE AND WRITE miscompares: "
                    + what + " sense " + ByteBufUtil.hexDump(r.sense())).isTrue();
        }
        clearAttentions(target);
        byte[] all = run(target, NEXUSES.get(0), Fixture.rw10(0x28, 0, SPAN, 0), null).assertGood().data();
        byte[][] end = new byte[SPAN][];
        for (int b = 0; b < SPAN; b++) {
            end[b] = Arrays.copyOfRange(all, b * BLOCK, (b + 1) * BLOCK);
        }
        Model model = new Model(round, tags, good, start);
        model.checkFinal(end);
        for (Map.Entry<Integer, Fixture.Result> e : results.entrySet()) {
            Op op = round.get(e.getKey());
            if (op.kind() == Kind.READ && e.getValue().status() == ScsiStatus.GOOD) {
                model.checkRead(op, e.getValue().data());
            }
        }
        return end;
    }

    /** The model of one round: what each command may have written and the serial orders it allows. */
    private record Model(List<Op> round, Map<Integer, Long> tags, Set<Integer> good, byte[][] start) {

        /** What command {@code i} writes on block {@code b} (it covers it). */
        byte[] content(int i, int b) {
            Op op = round.get(i);
            return switch (op.kind()) {
                case WRITE, COMPARE_AND_WRITE, WRITE_AND_VERIFY -> block(tags.get(i), b);
                case WRITE_SAME -> block(tags.get(i), -1);
                default -> new byte[BLOCK];
            };
        }

        /** Every content block {@code b} may hold after the round, whatever the order (copies included). */
        List<Set<String>> possible() {
            List<Set<String>> p = new ArrayList<>();
            for (int b = 0; b < SPAN; b++) {
                Set<String> s = new HashSet<>();
                s.add(hex(start[b]));
                for (int i : good) {
                    if (round.get(i).kind() != Kind.XCOPY && round.get(i).covers(b)) {
                        s.add(hex(content(i, b)));
                    }
                }
                p.add(s);
            }
            for (boolean changed = true; changed; ) {
                changed = false;
                for (int i : good) {
                    Op op = round.get(i);
                    if (op.kind() != Kind.XCOPY) {
                        continue;
                    }
                    for (int b = op.lba(); b < op.lba() + op.blocks(); b++) {
                        changed |= p.get(b).addAll(p.get(op.sourceOf(b)));
                    }
                }
            }
            return p;
        }

        void checkFinal(byte[][] end) {
            List<Set<String>> possible = possible();
            // Per block: the commands that may have written it last (-1: none did, the round's start data).
            Map<String, List<Integer>> groups = new LinkedHashMap<>();
            Map<String, List<Integer>> groupCandidates = new HashMap<>();
            for (int b = 0; b < SPAN; b++) {
                String content = hex(end[b]);
                assertThat(possible.get(b)).as("block %d holds what no command of %s wrote", b, round)
                        .contains(content);
                List<Integer> candidates = new ArrayList<>();
                List<Integer> covering = new ArrayList<>();
                for (int i : good) {
                    Op op = round.get(i);
                    if (!op.covers(b)) {
                        continue;
                    }
                    covering.add(i);
                    boolean mayBeLast = op.kind() == Kind.XCOPY
                            ? possible.get(op.sourceOf(b)).contains(content)
                            : hex(content(i, b)).equals(content);
                    if (mayBeLast) {
                        candidates.add(i);
                    }
                }
                if (covering.isEmpty()) {
                    assertThat(content).as("block %d changed with no writer", b).isEqualTo(hex(start[b]));
                    continue;
                }
                assertThat(candidates).as("block %d: no writer of %s could have left %s", b, round, content)
                        .isNotEmpty();
                String key = candidates + "/" + covering;
                groups.computeIfAbsent(key, k -> new ArrayList<>()).add(b);
                groupCandidates.put(key, candidates);
                groupCandidates.put(key + "#covering", covering);
            }
            List<String> keys = new ArrayList<>(groups.keySet());
            int[] choice = new int[keys.size()];
            assertThat(search(keys, groupCandidates, choice, 0))
                    .as("no serial order of %s (GOOD: %s) leaves %s; start %s", round, good, describe(end),
                            describe(start))
                    .isTrue();
        }

        /** Backtracks over the last-writer choice of each group of blocks for an acyclic order. */
        private boolean search(List<String> keys, Map<String, List<Integer>> candidates, int[] choice, int at) {
            if (at == keys.size()) {
                return acyclic(keys, candidates, choice);
            }
            List<Integer> options = candidates.get(keys.get(at));
            for (int option : options) {
                choice[at] = option;
                if (search(keys, candidates, choice, at + 1)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Whether command {@code d} writes, on a block {@code caw} covers, other data than the
         * round's start that no other command of the round could have put back (zeros over a zero
         * start, or a copy), so that a compare with the start data after {@code d} must fail.
         */
        private boolean changesStartData(int d, Op caw) {
            Op other = round.get(d);
            for (int b = Math.max(caw.lba(), other.lba()); b < Math.min(caw.lba() + caw.blocks(),
                    other.lba() + other.blocks()); b++) {
                if (!Arrays.equals(content(d, b), start[b]) && !restorable(b, d)) {
                    return true;
                }
            }
            return false;
        }

        private boolean restorable(int b, int except) {
            for (int e : good) {
                Op op = round.get(e);
                if (e != except && op.covers(b)
                        && (op.kind() == Kind.XCOPY || Arrays.equals(content(e, b), start[b]))) {
                    return true;
                }
            }
            return false;
        }

        private boolean copied(int b) {
            for (int i : good) {
                if (round.get(i).kind() == Kind.XCOPY && round.get(i).covers(b)) {
                    return true;
                }
            }
            return false;
        }

        private boolean acyclic(List<String> keys, Map<String, List<Integer>> candidates, int[] choice) {
            int n = round.size();
            boolean[][] before = new boolean[n][n];
            for (int g = 0; g < keys.size(); g++) {
                for (int other : candidates.get(keys.get(g) + "#covering")) {
                    if (other != choice[g]) {
                        before[other][choice[g]] = true;
                    }
                }
            }
            // A GOOD COMPARE AND WRITE compared the round's start data: every other write that changed
            // its blocks came after it.
            for (int c : good) {
                Op caw = round.get(c);
                if (caw.kind() != Kind.COMPARE_AND_WRITE) {
                    continue;
                }
                for (int d : good) {
                    Op other = round.get(d);
                    if (d != c && other.kind() != Kind.XCOPY && changesStartData(d, caw)) {
                        before[c][d] = true;
                    }
                }
            }
            int[] state = new int[n];
            for (int v = 0; v < n; v++) {
                if (cycleFrom(v, before, state)) {
                    return false;
                }
            }
            return true;
        }

        private static boolean cycleFrom(int v, boolean[][] before, int[] state) {
            if (state[v] == 1) {
                return true;
            }
            if (state[v] == 2) {
                return false;
            }
            state[v] = 1;
            for (int w = 0; w < before.length; w++) {
                if (before[v][w] && cycleFrom(w, before, state)) {
                    return true;
                }
            }
            state[v] = 2;
            return false;
        }

        /**
         * A read during the round sees nothing of a failed command and no write half done: where
         * it shows a command's data on one block, it shows no block of that command still holding
         * the round's start data.
         */
        void checkRead(Op read, byte[] data) {
            List<Set<String>> possible = possible();
            for (int b = read.lba(); b < read.lba() + read.blocks(); b++) {
                String content = hex(Arrays.copyOfRange(data, (b - read.lba()) * BLOCK, (b - read.lba() + 1) * BLOCK));
                assertThat(possible.get(b)).as("READ %s saw on block %d what no GOOD command wrote", read, b)
                        .contains(content);
            }
            for (int i : good) {
                Op op = round.get(i);
                if (op.zeros() || op.kind() == Kind.XCOPY) {
                    continue;
                }
                boolean newSeen = false;
                boolean oldSeen = false;
                for (int b = Math.max(op.lba(), read.lba()); b < Math.min(op.lba() + op.blocks(),
                        read.lba() + read.blocks()); b++) {
                    byte[] seen = Arrays.copyOfRange(data, (b - read.lba()) * BLOCK, (b - read.lba() + 1) * BLOCK);
                    newSeen |= Arrays.equals(seen, content(i, b));
                    // (A copy may put back the start data; then it proves nothing.)
                    oldSeen |= Arrays.equals(seen, start[b]) && !isZero(start[b]) && !copied(b);
                }
                assertThat(newSeen && oldSeen).as("READ %s saw %s half done", read, op).isFalse();
            }
        }
    }

    private static byte[] cdb(Op op, long naa) {
        return switch (op.kind()) {
            case WRITE -> Fixture.rw10(0x2A, op.lba(), op.blocks(), 0);
            case WRITE_AND_VERIFY -> Fixture.rw10(0x2E, op.lba(), op.blocks(), 0x02);
            case READ -> Fixture.rw10(0x28, op.lba(), op.blocks(), 0);
            case WRITE_SAME, WRITE_SAME_ZEROS -> Thin.writeSame10(op.lba(), op.blocks(), 0);
            case WRITE_SAME_UNMAP -> Thin.writeSame16(op.lba(), op.blocks(), Thin.UNMAP_BIT);
            case UNMAP -> Thin.unmap(Thin.unmapList(op.lba(), op.blocks()).length, 0);
            case COMPARE_AND_WRITE -> {
                byte[] c = Fixture.rw16(0x89, op.lba(), 0, 0);
                c[13] = (byte) op.blocks();
                yield c;
            }
            case XCOPY -> ExtendedCopyTest.xcopy(xcopyList(op, naa).length);
            default -> throw new IllegalArgumentException(op.toString());
        };
    }

    private static byte[] xcopyList(Op op, long naa) {
        return new ExtendedCopyTest.ListBuilder().list(0, 0b11).target(naa)
                .segment(0, 0, op.blocks(), op.source(), op.lba()).build();
    }

    private static byte[] dataOut(Op op, long tag, byte[][] start, long naa) {
        return switch (op.kind()) {
            case WRITE, WRITE_AND_VERIFY -> blocks(op, tag);
            case WRITE_SAME -> block(tag, -1);
            case WRITE_SAME_ZEROS, WRITE_SAME_UNMAP -> new byte[BLOCK];
            case UNMAP -> Thin.unmapList(op.lba(), op.blocks());
            case COMPARE_AND_WRITE -> {
                // Verify data: the round's start data, so that at most one compare can win.
                ByteBuffer b = ByteBuffer.allocate(2 * op.blocks() * BLOCK);
                for (int i = 0; i < op.blocks(); i++) {
                    b.put(start[op.lba() + i]);
                }
                yield b.put(blocks(op, tag)).array();
            }
            case XCOPY -> xcopyList(op, naa);
            default -> null;
        };
    }

    private static byte[] blocks(Op op, long tag) {
        ByteBuffer b = ByteBuffer.allocate(op.blocks() * BLOCK);
        for (int i = 0; i < op.blocks(); i++) {
            b.put(block(tag, op.lba() + i));
        }
        return b.array();
    }

    /** A block naming its writer: the tag, the LBA it was written for (-1 for WRITE SAME), a fill. */
    static byte[] block(long tag, long lba) {
        ByteBuffer b = ByteBuffer.allocate(BLOCK).putLong(tag).putLong(lba);
        while (b.hasRemaining()) {
            b.put((byte) (tag * 31 + lba));
        }
        return b.array();
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static String hex(byte[] b) {
        return ByteBufUtil.hexDump(b, 0, 16) + "/" + Arrays.hashCode(b);
    }

    private static String describe(byte[][] blocks) {
        StringBuilder s = new StringBuilder("[");
        for (byte[] b : blocks) {
            ByteBuffer w = ByteBuffer.wrap(b);
            s.append(isZero(b) ? "0" : w.getLong(0) + "@" + w.getLong(8)).append(' ');
        }
        return s.append(']').toString();
    }

    private static CompletableFuture<ScsiResponse> submit(ScsiTarget target, ItNexus nexus, byte[] cdb, byte[] data) {
        CompletableFuture<ScsiResponse> done = new CompletableFuture<>();
        ByteBuf out = data == null ? null : Fixture.ALLOC.buffer(data.length).writeBytes(data);
        target.execute(new ScsiCommand(nexus, 0, cdb, TaskAttribute.SIMPLE, 65536, out), done::complete);
        return done;
    }

    private static Fixture.Result run(ScsiTarget target, ItNexus nexus, byte[] cdb, byte[] data) {
        return Fixture.await(submit(target, nexus, cdb, data));
    }

    private static void clearAttentions(ScsiTarget target) {
        for (ItNexus n : NEXUSES) {
            for (int i = 0; i < 16; i++) {
                if (run(target, n, Fixture.cdb(0x00, 0, 0, 0, 0, 0), null).status() == ScsiStatus.GOOD) {
                    break;
                }
            }
        }
    }
}
