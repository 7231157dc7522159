package io.platter.config;

import java.util.Objects;

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
