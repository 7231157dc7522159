package io.platter.iscsi.auth;

import io.platter.config.ChapCredentials;
import io.platter.iscsi.login.LoginException;
import io.platter.iscsi.login.LoginStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The target's side of one CHAP exchange in the security stage (RFC 7143 §12.1.3, RFC 1994):
 * CHAP_A in, CHAP_A/CHAP_I/CHAP_C out; CHAP_N/CHAP_R (and for mutual CHAP, CHAP_I/CHAP_C) in,
 * verified in constant time, then CHAP_N/CHAP_R out when the initiator asked the target to
 * authenticate itself. Failure messages name no secret, challenge or response.
 *
 * <p>Confined to the connection's event loop.
 */
public final class ChapExchange {
    /** Key names (RFC 7143 §12.1.3). */
    public static final String A = "CHAP_A";
    public static final String I = "CHAP_I";
    public static final String C = "CHAP_C";
    public static final String N = "CHAP_N";
    public static final String R = "CHAP_R";
    /** Challenge length: never below 16 bytes, and at least the digest length. */
    static final int MIN_CHALLENGE_BYTES = 16;

    private enum State { AWAIT_ALGORITHM, AWAIT_RESPONSE, DONE }

    private final ChapCredentials credentials;
    private final SecureRandom random;
    private State state = State.AWAIT_ALGORITHM;
    private ChapAlgorithm algorithm;
    private int identifier;
    private byte[] challenge;

    public ChapExchange(ChapCredentials credentials, SecureRandom random) {
        this.credentials = credentials;
        this.random = random;
    }

    /** Whether a key belongs to CHAP. */
    public static boolean isChapKey(String name) {
        return name.startsWith("CHAP_");
    }

    /** Whether the initiator has proved it knows the secret. */
    public boolean authenticated() {
        return state == State.DONE;
    }

    /** {@code name} when it is the configured CHAP user name (case-sensitive), else {@code null}. */
    public String configuredUser(String name) {
        return credentials.user().equals(name) ? credentials.user() : null;
    }

    /** Whether the exchange has begun (CHAP_A received) but not finished. */
    public boolean inProgress() {
        return state == State.AWAIT_RESPONSE;
    }

    /**
     * Takes the CHAP keys of one login request and returns the CHAP keys of the answer.
     *
     * @throws LoginException {@link LoginStatus#AUTHENTICATION_FAILURE} when the initiator fails
     *                        to authenticate, {@link LoginStatus#INITIATOR_ERROR} for keys out of order
     */
    public Map<String, String> onKeys(Map<String, String> keys) throws LoginException {
        if (keys.isEmpty()) {
            return Map.of();
        }
        return switch (state) {
            case AWAIT_ALGORITHM -> challenge(keys);
            case AWAIT_RESPONSE -> verify(keys);
            case DONE -> throw new LoginException(LoginStatus.INITIATOR_ERROR, "CHAP keys after the exchange ended");
        };
    }

    private Map<String, String> challenge(Map<String, String> keys) throws LoginException {
        String offered = keys.get(A);
        if (offered == null || keys.size() != 1) {
            throw new LoginException(LoginStatus.INITIATOR_ERROR, "expected CHAP_A alone, got " + keys.keySet());
        }
        algorithm = ChapAlgorithm.choose(offered).orElseThrow(() ->
                new LoginException(LoginStatus.AUTHENTICATION_FAILURE, "no supported CHAP_A in " + offered));
        identifier = random.nextInt(256);
        challenge = new byte[Math.max(MIN_CHALLENGE_BYTES, algorithm.digestLength())];
        random.nextBytes(challenge);
        state = State.AWAIT_RESPONSE;
        Map<String, String> answer = new LinkedHashMap<>();
        answer.put(A, Integer.toString(algorithm.wire()));
        answer.put(I, Integer.toString(identifier));
        answer.put(C, BinaryValues.hex(challenge));
        return answer;
    }

    private Map<String, String> verify(Map<String, String> keys) throws LoginException {
        String name = keys.get(N);
        String response = keys.get(R);
        if (name == null || response == null) {
            throw failure("CHAP_N or CHAP_R missing");
        }
        byte[] expected = algorithm.response(identifier, utf8(credentials.secret()), challenge);
        byte[] given = decode(R, response);
        boolean userOk = MessageDigest.isEqual(utf8(name), utf8(credentials.user()));
        boolean responseOk = MessageDigest.isEqual(given, expected);
        if (!userOk || !responseOk) {
            throw failure(userOk ? "wrong CHAP_R for user " + name : "unknown CHAP_N " + name);
        }
        state = State.DONE;
        String theirId = keys.get(I);
        String theirChallenge = keys.get(C);
        if (theirId == null && theirChallenge == null) {
            return Map.of();
        }
        return mutual(theirId, theirChallenge);
    }

    /** Answers the initiator's challenge so that it can authenticate the target. */
    private Map<String, String> mutual(String theirId, String theirChallenge) throws LoginException {
        if (theirId == null || theirChallenge == null) {
            throw new LoginException(LoginStatus.INITIATOR_ERROR, "mutual CHAP needs both CHAP_I and CHAP_C");
        }
        if (!credentials.mutual()) {
            throw failure("initiator asked for mutual CHAP, but no mutual credentials are configured");
        }
        Long id = BinaryValues.number(theirId);
        if (id == null || id > 255) {
            throw failure("bad CHAP_I");
        }
        byte[] c = decode(C, theirChallenge);
        if (c.length < MIN_CHALLENGE_BYTES) {
            // A short challenge lets an eavesdropper collect our answers to every possible one
            // (RFC 7143 §12.1.3 asks for unpredictable challenges; we take as many bytes as we send).
            throw failure("CHAP_C of " + c.length + " bytes, fewer than " + MIN_CHALLENGE_BYTES);
        }
        if (MessageDigest.isEqual(c, challenge)) {
            // RFC 7143 §12.1.3: a reflected challenge would make us answer our own question.
            throw failure("initiator reflected the target's CHAP_C");
        }
        byte[] ours = algorithm.response(id.intValue(), utf8(credentials.mutualSecret()), c);
        Map<String, String> answer = new LinkedHashMap<>();
        answer.put(N, credentials.mutualUser());
        answer.put(R, BinaryValues.hex(ours));
        Arrays.fill(ours, (byte) 0);
        return answer;
    }

    private static byte[] decode(String key, String value) throws LoginException {
        try {
            return BinaryValues.decode(value);
        } catch (BinaryValues.BadValueException e) {
            throw failure(key + ": " + e.getMessage());
        }
    }

    private static LoginException failure(String why) {
        return new LoginException(LoginStatus.AUTHENTICATION_FAILURE, why);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
