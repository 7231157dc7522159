package io.platter.iscsi.login;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The negotiable keys of RFC 7143 §13 and RFC 7144 §2, each with its negotiation rule, range,
 * RFC default and the value this target offers. One table; {@link #negotiate} applies a rule.
 */
public enum LoginKey {
    //             name                        rule               scope     min  max        default     ours
    HEADER_DIGEST("HeaderDigest", Rule.LIST, Scope.CONNECTION, 0, 0, "None", "CRC32C,None"),
    DATA_DIGEST("DataDigest", Rule.LIST, Scope.CONNECTION, 0, 0, "None", "CRC32C,None"),
    MAX_CONNECTIONS("MaxConnections", Rule.MIN, Scope.SESSION, 1, 65535, "1", "4"),
    SEND_TARGETS("SendTargets", Rule.DECLARATIVE, Scope.CONNECTION, 0, 0, null, null),
    TARGET_NAME("TargetName", Rule.DECLARATIVE, Scope.SESSION, 0, 0, null, null),
    INITIATOR_NAME("InitiatorName", Rule.DECLARATIVE, Scope.SESSION, 0, 0, null, null),
    TARGET_ALIAS("TargetAlias", Rule.DECLARATIVE, Scope.SESSION, 0, 0, null, null),
    INITIATOR_ALIAS("InitiatorAlias", Rule.DECLARATIVE, Scope.SESSION, 0, 0, null, null),
    TARGET_ADDRESS("TargetAddress", Rule.DECLARATIVE, Scope.SESSION, 0, 0, null, null),
    TARGET_PORTAL_GROUP_TAG("TargetPortalGroupTag", Rule.DECLARATIVE, Scope.SESSION, 0, 0, null, null),
    INITIAL_R2T("InitialR2T", Rule.OR, Scope.SESSION, 0, 0, "Yes", "No"),
    IMMEDIATE_DATA("ImmediateData", Rule.AND, Scope.SESSION, 0, 0, "Yes", "Yes"),
    MAX_RECV_DATA_SEGMENT_LENGTH("MaxRecvDataSegmentLength", Rule.DECLARATIVE, Scope.CONNECTION,
            512, 16777215, "8192", "262144"),
    MAX_BURST_LENGTH("MaxBurstLength", Rule.MIN, Scope.SESSION, 512, 16777215, "262144", "16776192"),
    FIRST_BURST_LENGTH("FirstBurstLength", Rule.MIN, Scope.SESSION, 512, 16777215, "65536", "16776192"),
    DEFAULT_TIME2WAIT("DefaultTime2Wait", Rule.MAX, Scope.SESSION, 0, 3600, "2", "2"),
    DEFAULT_TIME2RETAIN("DefaultTime2Retain", Rule.MIN, Scope.SESSION, 0, 3600, "20", "20"),
    MAX_OUTSTANDING_R2T("MaxOutstandingR2T", Rule.MIN, Scope.SESSION, 1, 65535, "1", "16"),
    DATA_PDU_IN_ORDER("DataPDUInOrder", Rule.OR, Scope.SESSION, 0, 0, "Yes", "Yes"),
    DATA_SEQUENCE_IN_ORDER("DataSequenceInOrder", Rule.OR, Scope.SESSION, 0, 0, "Yes", "Yes"),
    ERROR_RECOVERY_LEVEL("ErrorRecoveryLevel", Rule.MIN, Scope.SESSION, 0, 2, "0", "1"),
    SESSION_TYPE("SessionType", Rule.DECLARATIVE, Scope.SESSION, 0, 0, "Normal", null),
    AUTH_METHOD("AuthMethod", Rule.LIST, Scope.CONNECTION, 0, 0, "None", "None"),
    // RFC 7143 §13.26 obsoletes the markers: answer "No" to the booleans, "Reject" to the intervals.
    OF_MARKER("OFMarker", Rule.AND, Scope.CONNECTION, 0, 0, "No", "No"),
    IF_MARKER("IFMarker", Rule.AND, Scope.CONNECTION, 0, 0, "No", "No"),
    OF_MARK_INT("OFMarkInt", Rule.REJECT, Scope.CONNECTION, 0, 0, null, null),
    IF_MARK_INT("IFMarkInt", Rule.REJECT, Scope.CONNECTION, 0, 0, null, null),
    ISCSI_PROTOCOL_LEVEL("iSCSIProtocolLevel", Rule.MIN, Scope.SESSION, 0, 31, "0", "1"),
    TASK_REPORTING("TaskReporting", Rule.LIST, Scope.SESSION, 0, 0, "RFC3720", "RFC3720");

    /** How the result follows from the offered value and ours (RFC 7143 §6.2). */
    public enum Rule { DECLARATIVE, LIST, AND, OR, MIN, MAX, REJECT }

    /** Whether a key belongs to the session (leading connection only) or each connection. */
    public enum Scope { SESSION, CONNECTION }

    private static final Map<String, LoginKey> BY_NAME = new HashMap<>();

    static {
        for (LoginKey key : values()) {
            if (BY_NAME.put(key.keyName, key) != null) {
                throw new ExceptionInInitializerError("duplicate login key " + key.keyName);
            }
        }
    }

    private final String keyName;
    private final Rule rule;
    private final Scope scope;
    private final int min;
    private final int max;
    private final String defaultValue;
    private final String ours;

    LoginKey(String keyName, Rule rule, Scope scope, int min, int max, String defaultValue, String ours) {
        this.keyName = keyName;
        this.rule = rule;
        this.scope = scope;
        this.min = min;
        this.max = max;
        this.defaultValue = defaultValue;
        this.ours = ours;
    }

    public String keyName() {
        return keyName;
    }

    public Rule rule() {
        return rule;
    }

    public Scope scope() {
        return scope;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String ours() {
        return ours;
    }

    public static LoginKey byName(String name) {
        return BY_NAME.get(name);
    }

    /**
     * The answer to an offered value by this key's rule, given the value this target wants
     * ({@code ours}, normally {@link #ours()}); "Reject" when the offer is not valid.
     */
    public String negotiate(String offered, String ours) {
        return switch (rule) {
            case LIST -> {
                List<String> supported = List.of(ours.split(","));
                for (String candidate : offered.split(",")) {
                    if (supported.contains(candidate)) {
                        yield candidate;
                    }
                }
                yield "Reject";
            }
            case AND, OR -> {
                if (!offered.equals("Yes") && !offered.equals("No")) {
                    yield "Reject";
                }
                boolean a = offered.equals("Yes");
                boolean b = ours.equals("Yes");
                yield (rule == Rule.AND ? a && b : a || b) ? "Yes" : "No";
            }
            case MIN, MAX -> {
                Long value = parseNumber(offered);
                if (value == null || value < min || value > max) {
                    yield "Reject";
                }
                long mine = Long.parseLong(ours);
                yield Long.toString(rule == Rule.MIN ? Math.min(value, mine) : Math.max(value, mine));
            }
            case REJECT -> "Reject";
            case DECLARATIVE -> ours;
        };
    }

    /** Whether {@code value} is a valid number within this key's range. */
    public boolean inRange(String value) {
        Long n = parseNumber(value);
        return n != null && n >= min && n <= max;
    }

    /** RFC 7143 §6.1 numerical values: decimal, or hex with 0x. */
    static Long parseNumber(String value) {
        try {
            if (value.startsWith("0x") || value.startsWith("0X")) {
                return Long.parseLong(value.substring(2), 16);
            }
            if (value.isEmpty() || value.length() > 12) {
                return null;
            }
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
