package io.platter.iscsi.session;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What one session may make the daemon hold in memory on its behalf, beyond the command window
 * (RFC 7143 §4.2.2.1) that bounds its non-immediate commands:
 * <ul>
 * <li>immediate SCSI commands in flight, which the window does not count: at most
 *     {@link #IMMEDIATE_COMMANDS}; more are rejected with reason 0x06 "immediate command reject -
 *     too many immediate commands" (RFC 7143 §11.17.1);</li>
 * <li>write data buffered before the SCSI core takes it (immediate data, unsolicited and solicited
 *     Data-Out of commands still in their data phase): each write reserves its expected length on
 *     arrival, at most {@link #SESSION_DATA_OUT} per session and {@link #GLOBAL_DATA_OUT} for the
 *     whole daemon. A write that finds no room keeps none of its data: its unsolicited data is
 *     read and dropped, it is not asked for more, and it ends in TASK SET FULL status (SAM-5
 *     §5.3.1), which initiators retry later with a smaller queue.</li>
 * </ul>
 * Confined to the session's event loop, except the daemon-wide total, which is atomic.
 */
final class SessionBudget {
    static final int IMMEDIATE_COMMANDS = 8;
    static final long SESSION_DATA_OUT = 64L << 20;
    static final long GLOBAL_DATA_OUT = 512L << 20;

    private static final AtomicLong GLOBAL = new AtomicLong();

    private long dataOut;
    private int immediate;

    /** Reserves {@code bytes} of buffered Data-Out; false (nothing reserved) when over a bound. */
    boolean reserveDataOut(long bytes) {
        if (dataOut + bytes > SESSION_DATA_OUT) {
            return false;
        }
        if (GLOBAL.addAndGet(bytes) > GLOBAL_DATA_OUT) {
            GLOBAL.addAndGet(-bytes);
            return false;
        }
        dataOut += bytes;
        return true;
    }

    /** Gives back a reservation of {@link #reserveDataOut}. */
    void releaseDataOut(long bytes) {
        dataOut -= bytes;
        GLOBAL.addAndGet(-bytes);
    }

    /** Takes an immediate-command slot; false when all are taken. */
    boolean admitImmediate() {
        if (immediate >= IMMEDIATE_COMMANDS) {
            return false;
        }
        immediate++;
        return true;
    }

    void immediateEnded() {
        immediate--;
    }

    /** Data-Out bytes reserved by this session (tests, metrics). */
    long dataOut() {
        return dataOut;
    }

    /** Data-Out bytes reserved by every session of the daemon. */
    static long globalDataOut() {
        return GLOBAL.get();
    }
}
