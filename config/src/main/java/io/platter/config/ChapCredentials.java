package io.platter.config;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * CHAP credentials of a target or of discovery (RFC 1994; RFC 7143 §12.1.3). {@code user} and
 * {@code secret} authenticate the initiator to the target; the optional mutual pair is what the
 * target answers with when the initiator asks it to authenticate itself too. Secrets never appear
 * in {@link #toString()}.
 *
 * @param user         the CHAP_N the initiator must send, not empty
 * @param secret       the secret the initiator proves it knows, not empty
 * @param mutualUser   the CHAP_N the target sends back, or {@code null} for one-way CHAP only
 * @param mutualSecret the target's own secret; present exactly when {@code mutualUser} is
 */
public record ChapCredentials(String user, String secret, String mutualUser, String mutualSecret) {

    /** RFC 7143 §12.1.3: a secret with fewer random bits than 96 needs IPsec. */
    public static final int MIN_RECOMMENDED_SECRET_BYTES = 12;

    public ChapCredentials {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(secret, "secret");
        if (user.isEmpty() || secret.isEmpty()) {
            throw new IllegalArgumentException("CHAP user and secret must not be empty");
        }
        if ((mutualUser == null) != (mutualSecret == null)) {
            throw new IllegalArgumentException("mutual CHAP needs both a user and a secret");
        }
        if (mutualUser != null && (mutualUser.isEmpty() || mutualSecret.isEmpty())) {
            throw new IllegalArgumentException("mutual CHAP user and secret must not be empty");
        }
    }

    /** The problem {@link #mutualProblem} reports, for the mutual secret. */
    public static final String SAME_SECRETS = "must differ from secret (RFC 7143 §12.1.3)";

    /**
     * Why {@code secret} cannot be used, or empty. These are the rules of the config loader and of
     * the management API alike; the reason never quotes the secret.
     */
    public static Optional<String> secretProblem(String secret) {
        return secret == null || secret.isEmpty() ? Optional.of("must not be empty") : Optional.empty();
    }

    /**
     * A warning for a usable but weak secret (shorter than {@value #MIN_RECOMMENDED_SECRET_BYTES}
     * bytes of UTF-8), or empty; it never quotes the secret.
     */
    public static Optional<String> secretWarning(String secret) {
        int bytes = secret.getBytes(StandardCharsets.UTF_8).length;
        if (bytes >= MIN_RECOMMENDED_SECRET_BYTES) {
            return Optional.empty();
        }
        return Optional.of("only " + bytes + " bytes long: use at least " + MIN_RECOMMENDED_SECRET_BYTES
                + " random bytes (RFC 7143 §12.1.3; the Windows initiator needs 12-16)");
    }

    /**
     * {@link #SAME_SECRETS} when the mutual secret equals the initiator's secret, else empty:
     * RFC 7143 §12.1.3 forbids one secret authenticating both directions.
     */
    public static Optional<String> mutualProblem(String secret, String mutualSecret) {
        return secret != null && secret.equals(mutualSecret) ? Optional.of(SAME_SECRETS) : Optional.empty();
    }

    /** {@code none}, {@code one-way} or {@code mutual}: what {@code credentials} (null for none) ask of a login. */
    public static String mode(ChapCredentials credentials) {
        return credentials == null ? "none" : credentials.mutual() ? "mutual" : "one-way";
    }

    /** One-way credentials. */
    public static ChapCredentials oneWay(String user, String secret) {
        return new ChapCredentials(user, secret, null, null);
    }

    /** Whether the target can authenticate itself to the initiator. */
    public boolean mutual() {
        return mutualUser != null;
    }

    @Override
    public String toString() {
        return "ChapCredentials[user=" + user + ", mutualUser=" + mutualUser + ", secrets hidden]";
    }
}
