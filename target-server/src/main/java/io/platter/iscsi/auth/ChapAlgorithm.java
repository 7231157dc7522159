package io.platter.iscsi.auth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * CHAP_A values (RFC 7143 §12.1.3; IANA "PPP Authentication Algorithms"): the hash each one
 * names. The response is {@code H(identifier || secret || challenge)} (RFC 1994 §4.1).
 */
public enum ChapAlgorithm {
    MD5(5, "MD5"),
    SHA1(6, "SHA-1"),
    SHA256(7, "SHA-256"),
    SHA3_256(8, "SHA3-256");

    private static final Map<Integer, ChapAlgorithm> BY_WIRE = new HashMap<>();

    static {
        for (ChapAlgorithm a : values()) {
            if (BY_WIRE.put(a.wire, a) != null) {
                throw new ExceptionInInitializerError("duplicate CHAP_A " + a.wire);
            }
        }
    }

    private final int wire;
    private final String digestName;

    ChapAlgorithm(int wire, String digestName) {
        this.wire = wire;
        this.digestName = digestName;
    }

    public int wire() {
        return wire;
    }

    /** Length of a response in bytes. */
    public int digestLength() {
        return digest().getDigestLength();
    }

    public static Optional<ChapAlgorithm> fromWire(int wire) {
        return Optional.ofNullable(BY_WIRE.get(wire));
    }

    /**
     * The first algorithm of the initiator's comma-separated CHAP_A list that this target
     * supports, in the initiator's order of preference (a list negotiation, RFC 7143 §6.2).
     */
    public static Optional<ChapAlgorithm> choose(String offered) {
        for (String item : offered.split(",", -1)) {
            Long n = BinaryValues.number(item.trim());
            if (n != null && n <= Integer.MAX_VALUE) {
                Optional<ChapAlgorithm> a = fromWire(n.intValue());
                if (a.isPresent()) {
                    return a;
                }
            }
        }
        return Optional.empty();
    }

    /** {@code H(identifier || secret || challenge)} (RFC 1994 §4.1). */
    public byte[] response(int identifier, byte[] secret, byte[] challenge) {
        MessageDigest md = digest();
        md.update((byte) identifier);
        md.update(secret);
        md.update(challenge);
        return md.digest();
    }

    private MessageDigest digest() {
        try {
            return MessageDigest.getInstance(digestName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK lacks " + digestName, e); // all four are mandatory in Java 17
        }
    }
}
