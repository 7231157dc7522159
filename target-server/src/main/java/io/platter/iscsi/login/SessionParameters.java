package io.platter.iscsi.login;

import java.util.EnumMap;
import java.util.Map;

/**
 * The operational parameters of a session and its connection as negotiated (RFC 7143 §13),
 * starting from the RFC defaults. Confined to the connection's event loop.
 */
public final class SessionParameters {
    private final Map<LoginKey, String> values = new EnumMap<>(LoginKey.class);

    public SessionParameters() {
        for (LoginKey key : LoginKey.values()) {
            if (key.defaultValue() != null) {
                values.put(key, key.defaultValue());
            }
        }
    }

    void set(LoginKey key, String value) {
        values.put(key, value);
    }

    public String get(LoginKey key) {
        return values.get(key);
    }

    private int number(LoginKey key) {
        return Integer.parseInt(values.get(key));
    }

    private boolean yes(LoginKey key) {
        return "Yes".equals(values.get(key));
    }

    public String initiatorName() {
        return values.get(LoginKey.INITIATOR_NAME);
    }

    public String targetName() {
        return values.get(LoginKey.TARGET_NAME);
    }

    public boolean discovery() {
        return "Discovery".equals(values.get(LoginKey.SESSION_TYPE));
    }

    public boolean headerDigest() {
        return "CRC32C".equals(values.get(LoginKey.HEADER_DIGEST));
    }

    public boolean dataDigest() {
        return "CRC32C".equals(values.get(LoginKey.DATA_DIGEST));
    }

    /** What the initiator can receive: the largest data segment we may send. */
    public int maxXmitDataSegmentLength() {
        return number(LoginKey.MAX_RECV_DATA_SEGMENT_LENGTH);
    }

    /** What we declared we can receive. */
    public int maxRecvDataSegmentLength() {
        return Integer.parseInt(LoginKey.MAX_RECV_DATA_SEGMENT_LENGTH.ours());
    }

    public int maxBurstLength() {
        return number(LoginKey.MAX_BURST_LENGTH);
    }

    public int firstBurstLength() {
        return number(LoginKey.FIRST_BURST_LENGTH);
    }

    public boolean initialR2T() {
        return yes(LoginKey.INITIAL_R2T);
    }

    public boolean immediateData() {
        return yes(LoginKey.IMMEDIATE_DATA);
    }

    public int maxOutstandingR2T() {
        return number(LoginKey.MAX_OUTSTANDING_R2T);
    }

    public int errorRecoveryLevel() {
        return number(LoginKey.ERROR_RECOVERY_LEVEL);
    }

    public int defaultTime2Wait() {
        return number(LoginKey.DEFAULT_TIME2WAIT);
    }

    public int defaultTime2Retain() {
        return number(LoginKey.DEFAULT_TIME2RETAIN);
    }
}
