package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.HostileCases;
import io.platter.tests.support.HostileCases.Case;
import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.RawIscsiConnection;
import io.platter.tests.support.RawIscsiConnection.Answer;
import io.platter.tests.support.RawPdu;
import io.platter.tests.support.RawScsiSession;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile input against the real daemon over real sockets: {@code hostile.cases} generated cases
 * ({@link HostileCases}: mutated Login, Text, SCSI Command with random CDBs, Data-Out with bad
 * offsets and tags, NOP-Out, task management, Logout and SNACK PDUs, AHS, random bytes, truncated
 * PDUs, lying lengths, wrong header and data digests on connections that negotiated CRC32C),
 * grouped per connection, a new connection after each close; some groups run on two connections
 * of one session (MC/S), one of which may drop.
 *
 * <p>Every case must end in an answer, a Reject or a clean close, never in a hang or a silent
 * close: after a framed case in full feature phase an immediate NOP-Out must be answered (RFC 7143
 * §11.18), or a Reject or response must precede the close; every login-phase PDU must get a Login
 * Response (then a close if it failed the login); after an unframed
 * case (the stream is out of step) the test half-closes and the target must close. Every PDU the
 * target sends must have a target opcode (§11.1), and every Reject the rejected header (§11.17).
 * At the end the daemon is alive, a fresh login READs, and it recorded no internal error; the
 * daemon log is checked for internal errors after every connection, so a failure names the group
 * of cases (in hex) that caused it.
 *
 * <p>{@code -Dhostile.cases=100000} runs the long run; {@code -Dhostile.seed=N} repeats a run
 * (the seed is printed at the start).
 */
@Timeout(7200)
class HostileInputIT {

    private static final int CASES = Integer.getInteger("hostile.cases", 5000);
    private static final long SEED = Long.getLong("hostile.seed", System.nanoTime());
    private static final int ANSWER_TIMEOUT_MS = 10_000;
    private static final String INITIATOR = "iqn.2026-11.io.platter:hostile";
    private static final Set<Integer> TARGET_OPCODES = Set.of(RawPdu.OP_NOP_IN, RawPdu.OP_SCSI_RESPONSE,
            RawPdu.OP_TASK_MANAGEMENT_RESPONSE, RawPdu.OP_LOGIN_RESPONSE, RawPdu.OP_TEXT_RESPONSE, RawPdu.OP_DATA_IN,
            RawPdu.OP_LOGOUT_RESPONSE, RawPdu.OP_R2T, RawPdu.OP_ASYNC_MESSAGE, RawPdu.OP_REJECT);
    private static final Pattern INTERNAL_ERROR = Pattern.compile("internal error #(\\d+)");

    /** Outcome counts per kind of outcome, and the cases of the current connection. */
    private final Map<String, Long> outcomes = new TreeMap<>();
    private final List<String> group = new ArrayList<>();
    private long logOffset;
    /** The daemon under test (for {@link #coldResetDuringThisConnection}). */
    private PlatterProcess daemon;
    /** The TSIH of the last session logged in to (for a second connection to join it). */
    private int lastTsih;
    /** The case {@link #oneCase} sent last. */
    private Case lastCase;

    @Test
    void everyCaseGetsAnAnswerARejectOrACloseAndTheDaemonStaysSound() throws Exception {
        System.out.println("HostileInputIT: seed " + SEED + ", " + CASES + " cases (-Dhostile.seed=" + SEED
                + " -Dhostile.cases=" + CASES + " repeats this run)");
        Random rnd = new Random(SEED);
        HostileCases gen = new HostileCases(rnd, INITIATOR, PlatterProcess.IQN);
        long start = System.nanoTime();
        try (PlatterProcess server = PlatterProcess.start("HostileInputIT", "64M")) {
            daemon = server;
            int done = 0;
            int connections = 0;
            while (done < CASES) {
                group.clear();
                int budget = Math.min(CASES - done, 1 + rnd.nextInt(40));
                int pick = rnd.nextInt(100);
                try {
                    if (pick >= 15 && pick < 25) {
                        done += multiConnection(server, gen, rnd, budget);
                    } else {
                        try (RawIscsiConnection c = RawIscsiConnection.open(server.port(), ANSWER_TIMEOUT_MS)) {
                            done += pick < 15 ? loginPhase(c, gen, budget)
                                    : fullFeature(c, gen, rnd, budget, pick < 32, pick >= 85);
                        }
                    }
                } catch (AssertionError | IOException e) {
                    throw new AssertionError(e.getMessage() + "\n" + replay(server), e);
                }
                connections++;
                assertNoNewInternalError(server);
                if (!server.isAlive()) {
                    throw new AssertionError("daemon died during connection " + connections + "\n" + replay(server)
                            + "\n" + server.logText());
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            String report = String.format("HostileInputIT: seed %d, %d cases on %d connections in %.1f s;"
                    + " outcomes %s", SEED, done, connections, seconds, outcomes);
            System.out.println(report);
            Files.writeString(server.workDir().resolve("report.txt"), report + "\n");

            assertThat(server.isAlive()).as("daemon alive\n" + server.logText()).isTrue();
            assertNoSessionLeft(server);
            freshLoginReads(server);
            server.assertNoInternalErrors();
        }
    }

    /** Login Requests (and worse) before full feature phase: each gets a Login Response or a close. */
    private int loginPhase(RawIscsiConnection c, HostileCases gen, int budget) throws IOException {
        for (int round = 0; round < Math.min(budget, 4); round++) {
            Case cs = gen.login(round);
            if (!send(c, cs)) {
                return round + 1;
            }
            if (!cs.framed()) {
                expectCloseAfterHalfClose(c, cs);
                return round + 1;
            }
            Answer a = c.answer();
            if (a instanceof Answer.Silent) {
                throw new AssertionError("hang: no answer and no close within " + ANSWER_TIMEOUT_MS
                        + " ms after the login-phase case " + cs.kind());
            }
            if (a instanceof Answer.Closed) {
                if (coldResetDuringThisConnection()) {
                    count("login-closed-by-an-earlier-cold-reset");
                    return round + 1;
                }
                // Every Login Request is answered (RFC 7143 §6.3, §11.13), even one that fails the login.
                throw new AssertionError("silent close: the target closed without a Login Response after the"
                        + " login-phase case " + cs.kind());
            }
            RawPdu r = ((Answer.Received) a).pdu();
            checkTargetPdu(r, cs);
            if (r.opcode() != RawPdu.OP_LOGIN_RESPONSE) {
                count("login-" + name(r));
                expectCloseAfterHalfClose(c, cs);
                return round + 1;
            }
            count(r.statusClass() == 0 ? "login-response-ok" : "login-response-" + r.statusClass());
            if (r.statusClass() != 0) {
                // RFC 7143 §6.10 / §11.13.5: a login that failed ends with the connection.
                c.expectClosed("after Login Response with status class " + r.statusClass() + " to " + cs.kind());
                return round + 1;
            }
            if ((r.u8(1) & 0x83) == 0x83) {
                return round + 1;     // reached full feature phase: this group has done its part
            }
        }
        return Math.min(budget, 4);
    }

    /** A plain login, then hostile PDUs each followed by an immediate NOP-Out ping. */
    private int fullFeature(RawIscsiConnection c, HostileCases gen, Random rnd, int budget, boolean discovery,
                            boolean digests) throws IOException {
        HostileCases.State s = login(c, gen, discovery, digests, 0, 0);
        for (int n = 0; n < budget; n++) {
            if (!oneCase(c, s, gen, rnd, digests, false)) {
                return n + 1;
            }
        }
        if (rnd.nextBoolean()) {
            c.shutdownOutput();   // an initiator that just goes away: the target must close its side
            drainToClose(c, "half-close after " + budget + " cases");
        }
        return budget;
    }

    /**
     * Two connections of one session (MC/S, RFC 7143 §5.3: the second joins with the session's
     * TSIH and a new CID) share one CmdSN window; the cases go to either. A Logout or a task
     * management reset may close a connection from the other one, and a connection that dies
     * without a logout fails the whole session at ErrorRecoveryLevel 0 (§7.1.5): after such a case
     * a close of either connection is explained; any other close must still follow an answer.
     */
    private int multiConnection(PlatterProcess server, HostileCases gen, Random rnd, int budget) throws IOException {
        try (RawIscsiConnection a = RawIscsiConnection.open(server.port(), ANSWER_TIMEOUT_MS);
             RawIscsiConnection b = RawIscsiConnection.open(server.port(), ANSWER_TIMEOUT_MS)) {
            HostileCases.State sa = login(a, gen, false, false, 0, 0);
            HostileCases.State sb = login(b, gen, false, false, lastTsih, 1);
            sb.nextItt = 0x40000000;
            RawIscsiConnection[] conns = {a, b};
            HostileCases.State[] states = {sa, sb};
            boolean[] open = {true, true};
            boolean closesExplained = false;
            for (int n = 0; n < budget; n++) {
                int i = rnd.nextInt(2);
                if (!open[i]) {
                    i = 1 - i;
                }
                if (!open[i]) {
                    return n;
                }
                if (rnd.nextInt(25) == 0) {
                    group.add("drop connection " + i);
                    conns[i].close();               // dies without a logout: the session fails
                    open[i] = false;
                    closesExplained = true;
                    continue;
                }
                HostileCases.State s = states[i];
                HostileCases.State other = states[1 - i];
                if (other.cmdSn - s.cmdSn > 0) {
                    s.cmdSn = other.cmdSn;          // one CmdSN sequence across the session
                }
                group.add("on connection " + i + ":");
                boolean alive = oneCase(conns[i], s, gen, rnd, false, closesExplained);
                int opcode = lastCase.wire()[0] & 0x3f;
                if (opcode == RawPdu.OP_LOGOUT_REQUEST || opcode == RawPdu.OP_TASK_MANAGEMENT) {
                    closesExplained = true;         // may have closed the other connection or the session
                }
                if (!alive) {
                    open[i] = false;
                    closesExplained = true;
                }
            }
            return budget;
        }
    }

    /**
     * Sends one hostile case on {@code c} and a NOP-Out ping after a framed one; false when the
     * connection ended. {@code closeExplained}: an earlier case may close this connection silently.
     */
    private boolean oneCase(RawIscsiConnection c, HostileCases.State s, HostileCases gen, Random rnd, boolean digests,
                            boolean closeExplained) throws IOException {
        Case cs = gen.fullFeature(s);
        lastCase = cs;
        if (digests && cs.framed()) {
            // Digests (RFC 7143 §13.1): sometimes a wrong header digest (the framing cannot be
            // trusted: the target closes) or a wrong data digest (a Reject, §7.8).
            int pick = rnd.nextInt(100);
            int corrupt = pick < 4 ? 1 : pick < 12 ? 2 : 0;
            cs = new Case(cs.kind() + (corrupt == 1 ? "+bad-header-digest" : corrupt == 2 ? "+bad-data-digest"
                    : "+digests"), RawPdu.withDigests(cs.wire(), corrupt), true, cs.itt());
        }
        if (!send(c, cs)) {
            return false;
        }
        if (!cs.framed()) {
            expectCloseAfterHalfClose(c, cs);
            return false;
        }
        int ping = s.nextPing++;
        byte[] nop = RawPdu.nopOut(true, ping, s.cmdSn, s.expStatSn).toBytes();
        if (!send(c, new Case("ping", digests ? RawPdu.withDigests(nop, 0) : nop, true, ping))) {
            return false;
        }
        String outcome = "silent";
        while (true) {
            Answer a = c.answer();
            if (a instanceof Answer.Silent) {
                throw new AssertionError("hang: neither the case " + cs.kind() + " nor the NOP-Out ping after it"
                        + " was answered, and the connection stayed open for " + ANSWER_TIMEOUT_MS + " ms");
            }
            if (a instanceof Answer.Closed) {
                if (outcome.equals("silent") && !closeExplained && !coldResetDuringThisConnection()) {
                    // A close must follow a Reject or a response (a Logout Response, a reset) that says why.
                    throw new AssertionError("silent close: the target closed without a Reject or a response"
                            + " after the well-framed case " + cs.kind());
                }
                count("ffp-" + outcome + "-then-closed");
                return false;
            }
            RawPdu r = ((Answer.Received) a).pdu();
            checkTargetPdu(r, cs);
            s.track(r);
            if (r.opcode() == RawPdu.OP_NOP_IN && r.int32(16) == ping) {
                break;
            }
            if (r.opcode() == RawPdu.OP_REJECT) {
                outcome = "reject";
            } else if (!outcome.equals("reject") && (r.int32(16) == cs.itt() || r.opcode() != RawPdu.OP_NOP_IN)) {
                outcome = "answered";
            }
        }
        count("ffp-" + outcome);
        return true;
    }

    /**
     * Logs in with plain keys (RFC 7143 §6.3), CSG=1 to NSG=3, offering CRC32C digests when
     * {@code digests}; the connection reads and checks digests from then on if the target chose them.
     */
    private HostileCases.State login(RawIscsiConnection c, HostileCases gen, boolean discovery, boolean digests,
                                     int tsih, int cid) throws IOException {
        byte[] text = gen.loginText(discovery);
        if (digests || !discovery) {
            byte[] keys = digests ? RawPdu.text("HeaderDigest=CRC32C", "DataDigest=CRC32C", "MaxConnections=4")
                    : RawPdu.text("MaxConnections=4");
            byte[] both = java.util.Arrays.copyOf(text, text.length + keys.length);
            System.arraycopy(keys, 0, both, text.length, keys.length);
            text = both;
        }
        int expStatSn = 0;
        String answered = "";
        for (int round = 0; round < 4; round++) {
            RawPdu req = RawPdu.loginRequest(true, 1, 3, 0x10, 0, expStatSn, round == 0 ? text : new byte[0], -1);
            java.nio.ByteBuffer.wrap(req.bhs()).putShort(14, (short) tsih).putShort(20, (short) cid);
            group.add("login " + java.util.HexFormat.of().formatHex(req.toBytes()));
            c.send(req);
            RawPdu r = c.read().orElseThrow(() -> new AssertionError("target closed a plain login"));
            if (r.opcode() != RawPdu.OP_LOGIN_RESPONSE || r.statusClass() != 0) {
                throw new AssertionError("plain login failed: " + r + " status " + r.statusClass() + "/"
                        + r.statusDetail());
            }
            answered += "\0" + new String(r.data(), StandardCharsets.UTF_8);
            expStatSn = r.int32(24) + 1;
            if ((r.u8(1) & 0x83) == 0x83) {
                boolean header = answered.contains("\0HeaderDigest=CRC32C");
                boolean data = answered.contains("\0DataDigest=CRC32C");
                if (digests && !(header && data)) {
                    throw new AssertionError("the target did not accept CRC32C digests: " + answered);
                }
                c.digests(header, data);
                lastTsih = r.u16(14);
                return new HostileCases.State(r.int32(28), expStatSn);
            }
        }
        throw new AssertionError("plain login did not reach full feature phase");
    }

    /** Sends a case; false when the target had already closed (the write failed). */
    private boolean send(RawIscsiConnection c, Case cs) throws IOException {
        group.add(cs.describe());
        try {
            c.send(cs.wire());
            return true;
        } catch (java.net.SocketException e) {
            count("closed-before-send");
            return false;
        }
    }

    /** After an out-of-step case: half-close; the target may answer, then must close. */
    private void expectCloseAfterHalfClose(RawIscsiConnection c, Case cs) throws IOException {
        try {
            c.shutdownOutput();
        } catch (java.net.SocketException e) {
            count(cs.kind().startsWith("login") ? "login-closed" : "ffp-closed");
            return;
        }
        drainToClose(c, cs.kind());
        count((cs.kind().startsWith("login") ? "login" : "ffp") + "-unframed-closed");
    }

    private void drainToClose(RawIscsiConnection c, String after) throws IOException {
        for (int i = 0; i < 10_000; i++) {
            Answer a = c.answer();
            if (a instanceof Answer.Closed) {
                return;
            }
            if (a instanceof Answer.Silent) {
                throw new AssertionError("hang: the target did not close within " + ANSWER_TIMEOUT_MS
                        + " ms after end of stream (" + after + ")");
            }
            checkTargetPdu(((Answer.Received) a).pdu(), null);
        }
        throw new AssertionError("the target keeps sending after end of stream (" + after + ")");
    }

    private void checkTargetPdu(RawPdu r, Case cs) {
        if (!TARGET_OPCODES.contains(r.opcode())) {
            throw new AssertionError("the target sent opcode 0x" + Integer.toHexString(r.opcode()) + ": " + r);
        }
        // RFC 7143 §11.17: a Reject's data segment is the complete header of the rejected PDU.
        if (r.opcode() == RawPdu.OP_REJECT && r.dataSegmentLength() != RawPdu.BHS_LENGTH) {
            throw new AssertionError("Reject without the rejected header (" + r + ") after "
                    + (cs == null ? "end of stream" : cs.describe()));
        }
    }

    /**
     * Every hostile connection is closed, so no session may stay registered (one that does still
     * counts against the session limits and shows in {@code session list}). Closing is asynchronous:
     * the list gets a few seconds to empty.
     */
    private static void assertNoSessionLeft(PlatterProcess server) throws InterruptedException {
        String out = "";
        for (int i = 0; i < 20; i++) {
            out = server.cliOk("session", "list");
            if (out.lines().noneMatch(l -> !l.isBlank() && !l.startsWith("TSIH") && !l.startsWith("TARGET"))) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("sessions still listed 10 s after every hostile connection closed:\n" + out);
    }

    /** A new initiator logs in, takes its unit attentions and READs LBA 0 (SBC-4 §5.12). */
    private static void freshLoginReads(PlatterProcess server) throws IOException {
        try (RawScsiSession s = RawScsiSession.login(server.port(), INITIATOR + "-after", PlatterProcess.IQN)) {
            s.takeUnitAttentions();
            RawScsiSession.Result r = s.command(new byte[] {0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0}, null, 4096);
            assertThat(r.status()).as("READ(10) status, sense " + r.senseCode()).isEqualTo(RawScsiSession.GOOD);
            assertThat(r.data()).as("READ(10) data").hasSize(4096);
        }
    }

    /** Fails when the daemon logged an internal error since the last check, naming this group. */
    /**
     * Whether the daemon logged a TARGET COLD RESET since this connection began: a reset asked for
     * on an earlier connection may complete only after its aborted tasks ended, after that
     * connection closed, and then drops every connection of the target (RFC 7143 §11.5.1),
     * this one included. Such a close has its reason, though not on this connection.
     */
    private boolean coldResetDuringThisConnection() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(daemon.log().toFile(), "r")) {
            long length = f.length();
            if (length <= logOffset) {
                return false;
            }
            byte[] fresh = new byte[(int) (length - logOffset)];
            f.seek(logOffset);
            f.readFully(fresh);
            return new String(fresh, StandardCharsets.ISO_8859_1).contains("task management TARGET_COLD_RESET");
        }
    }

    private void assertNoNewInternalError(PlatterProcess server) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(server.log().toFile(), "r")) {
            long length = f.length();
            if (length <= logOffset) {
                return;
            }
            byte[] fresh = new byte[(int) (length - logOffset)];
            f.seek(logOffset);
            f.readFully(fresh);
            String text = new String(fresh, StandardCharsets.ISO_8859_1);
            int lastNewline = text.lastIndexOf('\n');
            if (lastNewline < 0) {
                return;
            }
            logOffset += lastNewline + 1;
            Matcher m = INTERNAL_ERROR.matcher(text.substring(0, lastNewline));
            if (m.find()) {
                throw new AssertionError("internal error in the daemon during this connection\n" + replay(server));
            }
        }
    }

    /** The cases of the current connection (hex), written to a file too, for a reproducer. */
    private String replay(PlatterProcess server) {
        String text = "seed " + SEED + "; the cases of this connection, in order:\n" + String.join("\n", group);
        try {
            Path file = server.workDir().resolve("failing-connection.txt");
            Files.writeString(file, text + "\n");
            text = "(also in " + file + ")\n" + text;
        } catch (IOException e) {
            text += "\n(not written: " + e + ")";
        }
        return text.length() > 12_000 ? text.substring(0, 12_000) + "\n[...]" : text;
    }

    private void count(String outcome) {
        outcomes.merge(outcome, 1L, Long::sum);
    }

    private static String name(RawPdu r) {
        return "op" + Integer.toHexString(r.opcode());
    }
}
