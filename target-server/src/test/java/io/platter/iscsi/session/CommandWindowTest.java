package io.platter.iscsi.session;

import static io.platter.iscsi.session.CommandWindow.Admission.DELIVER;
import static io.platter.iscsi.session.CommandWindow.Admission.QUEUED;
import static io.platter.iscsi.session.CommandWindow.Admission.REFUSED;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The CmdSN window (RFC 7143 §4.2.2.1) and serial number arithmetic (RFC 1982). */
class CommandWindowTest {

    @Test
    void inOrderCommandsAreDeliveredAtOnce() {
        CommandWindow<String> w = new CommandWindow<>(1, 4);
        assertThat(w.expCmdSn()).isEqualTo(1);
        assertThat(w.maxCmdSn()).isEqualTo(4);
        assertThat(w.offer(1, "a")).isEqualTo(DELIVER);
        assertThat(w.offer(2, "b")).isEqualTo(DELIVER);
        assertThat(w.expCmdSn()).isEqualTo(3);
        assertThat(w.next()).isNull();
    }

    @Test
    void commandsAheadOfTurnWaitForTheGap() {
        CommandWindow<String> w = new CommandWindow<>(10, 8);
        assertThat(w.offer(12, "c")).isEqualTo(QUEUED);
        assertThat(w.offer(11, "b")).isEqualTo(QUEUED);
        assertThat(w.next()).as("10 has not arrived").isNull();
        assertThat(w.expCmdSn()).isEqualTo(10);
        assertThat(w.offer(10, "a")).isEqualTo(DELIVER);
        assertThat(w.next()).isEqualTo("b");
        assertThat(w.next()).isEqualTo("c");
        assertThat(w.next()).isNull();
        assertThat(w.expCmdSn()).isEqualTo(13);
    }

    @Test
    void duplicatesAndOldCommandsAreRefused() {
        CommandWindow<String> w = new CommandWindow<>(5, 8);
        assertThat(w.offer(7, "x")).isEqualTo(QUEUED);
        assertThat(w.offer(7, "again")).isEqualTo(REFUSED);
        assertThat(w.offer(5, "a")).isEqualTo(DELIVER);
        assertThat(w.offer(5, "again")).as("already delivered").isEqualTo(REFUSED);
        assertThat(w.offer(4, "old")).isEqualTo(REFUSED);
    }

    @Test
    void commandsBeyondMaxCmdSnAreRefused() {
        CommandWindow<String> w = new CommandWindow<>(1, 4);
        assertThat(w.offer(5, "e")).isEqualTo(REFUSED);
        assertThat(w.offer(4, "d")).isEqualTo(QUEUED);
        assertThat(w.accepts(0)).isFalse();
        assertThat(w.accepts(1)).isTrue();
        assertThat(w.accepts(4)).isTrue();
        assertThat(w.accepts(5)).isFalse();
    }

    @Test
    void aClosedWindowRefusesEvenTheNextCommand() {
        CommandWindow<String> w = new CommandWindow<>(1, 2);
        assertThat(w.offer(1, "a")).isEqualTo(DELIVER);
        w.started();
        assertThat(w.offer(2, "b")).isEqualTo(DELIVER);
        w.started();
        // Two in flight with a depth of 2: MaxCmdSN = ExpCmdSN - 1, the window is closed.
        assertThat(w.expCmdSn()).isEqualTo(3);
        assertThat(w.maxCmdSn()).isEqualTo(2);
        assertThat(w.offer(3, "c")).isEqualTo(REFUSED);
        assertThat(w.expCmdSn()).isEqualTo(3);
        w.finished();
        assertThat(w.maxCmdSn()).isEqualTo(3);
        assertThat(w.offer(3, "c")).isEqualTo(DELIVER);
    }

    @Test
    void maxCmdSnNeverMovesBackwards() {
        CommandWindow<String> w = new CommandWindow<>(1, 4);
        assertThat(w.maxCmdSn()).isEqualTo(4);
        w.offer(1, "a");
        w.started();
        w.offer(2, "b");
        w.started();
        assertThat(w.inFlight()).isEqualTo(2);
        assertThat(w.maxCmdSn()).as("in-flight commands hold the window").isEqualTo(4);
        w.finished();
        assertThat(w.maxCmdSn()).isEqualTo(5);
        w.finished();
        assertThat(w.maxCmdSn()).isEqualTo(6);
        w.started(); // more in flight than before must not shrink what was advertised
        w.started();
        w.started();
        assertThat(w.maxCmdSn()).isEqualTo(6);
    }

    @Test
    void drainEmptiesTheQueue() {
        CommandWindow<String> w = new CommandWindow<>(1, 8);
        w.offer(3, "c");
        w.offer(4, "d");
        assertThat(w.drain()).containsExactlyInAnyOrder("c", "d");
        assertThat(w.drain()).isEmpty();
        assertThat(w.offer(1, "a")).isEqualTo(DELIVER);
        assertThat(w.next()).isNull();
    }

    @Test
    void theWindowSpansTheWrapAt2To32() {
        CommandWindow<String> w = new CommandWindow<>(0xfffffffe, 4);
        assertThat(w.maxCmdSn()).isEqualTo(1);
        assertThat(w.offer(0, "c")).isEqualTo(QUEUED);
        assertThat(w.offer(2, "e")).as("beyond MaxCmdSN 1").isEqualTo(REFUSED);
        assertThat(w.offer(0xfffffffe, "a")).isEqualTo(DELIVER);
        assertThat(w.offer(0xffffffff, "b")).isEqualTo(DELIVER);
        assertThat(w.next()).isEqualTo("c");
        assertThat(w.expCmdSn()).isEqualTo(1);
        assertThat(w.offer(0xfffffffd, "old")).isEqualTo(REFUSED);
    }

    @Test
    void serialNumbersCompareAcrossTheWrap() {
        assertThat(SerialNumbers.lessThan(0xffffffff, 0)).isTrue();
        assertThat(SerialNumbers.lessThan(0, 0xffffffff)).isFalse();
        assertThat(SerialNumbers.lessThan(0x7fffffff, 0x80000000)).isTrue();
        assertThat(SerialNumbers.lessThan(5, 5)).isFalse();
        assertThat(SerialNumbers.lessOrEqual(5, 5)).isTrue();
        // RFC 1982 §3.2: a difference of exactly 2^31 is undefined; neither is less.
        assertThat(SerialNumbers.lessThan(0, 0x80000000)).isFalse();
        assertThat(SerialNumbers.lessThan(0x80000000, 0)).isFalse();
    }
}
