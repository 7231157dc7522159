package io.platter.iscsi.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.platter.config.ChapCredentials;
import io.platter.iscsi.login.LoginException;
import io.platter.iscsi.login.LoginStatus;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The target side of CHAP (RFC 7143 §12.1.3), driven key by key as an initiator would. */
class ChapExchangeTest {
    static final ChapCredentials ONE_WAY = ChapCredentials.oneWay("alice", "alice-secret-16b");
    static final ChapCredentials MUTUAL = new ChapCredentials("alice", "alice-secret-16b", "target", "target-secret-16");

    private final ChapExchange exchange = new ChapExchange(MUTUAL, new SecureRandom());

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The initiator's response to a challenge answer (CHAP_A/I/C) with {@code secret}. */
    static String respond(Map<String, String> challenge, String secret) throws Exception {
        ChapAlgorithm a = ChapAlgorithm.fromWire(Integer.parseInt(challenge.get("CHAP_A"))).orElseThrow();
        byte[] c = BinaryValues.decode(challenge.get("CHAP_C"));
        return BinaryValues.hex(a.response(Integer.parseInt(challenge.get("CHAP_I")), utf8(secret), c));
    }

    private static LoginStatus status(ThrowingRunnable r) {
        try {
            r.run();
        } catch (LoginException e) {
            return e.status();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no LoginException");
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void challengeIsFreshRandomAndLongEnough() throws Exception {
        Map<String, String> first = exchange.onKeys(Map.of("CHAP_A", "7,5"));
        assertThat(first.keySet()).containsExactly("CHAP_A", "CHAP_I", "CHAP_C");
        assertThat(first.get("CHAP_A")).isEqualTo("7");
        assertThat(first.get("CHAP_C")).startsWith("0x");
        assertThat(BinaryValues.decode(first.get("CHAP_C"))).hasSize(32);
        Map<String, String> other = new ChapExchange(MUTUAL, new SecureRandom()).onKeys(Map.of("CHAP_A", "5"));
        assertThat(BinaryValues.decode(other.get("CHAP_C"))).hasSize(16).isNotEqualTo(BinaryValues.decode(first.get("CHAP_C")));
        assertThat(exchange.authenticated()).isFalse();
    }

    @Test
    void rightResponseAuthenticatesInHexOrBase64() throws Exception {
        Map<String, String> c = exchange.onKeys(Map.of("CHAP_A", "5"));
        byte[] r = BinaryValues.decode(respond(c, "alice-secret-16b"));
        assertThat(exchange.onKeys(Map.of("CHAP_N", "alice", "CHAP_R", BinaryValues.base64(r)))).isEmpty();
        assertThat(exchange.authenticated()).isTrue();
    }

    @Test
    void mutualAnswersTheInitiatorsChallengeWithTheMutualSecret() throws Exception {
        Map<String, String> c = exchange.onKeys(Map.of("CHAP_A", "5"));
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("CHAP_N", "alice");
        keys.put("CHAP_R", respond(c, "alice-secret-16b"));
        keys.put("CHAP_I", "77");
        keys.put("CHAP_C", "0x00112233445566778899aabbccddeeff");
        Map<String, String> answer = exchange.onKeys(keys);
        byte[] expected = ChapAlgorithm.MD5.response(77, utf8("target-secret-16"),
                BinaryValues.decode("0x00112233445566778899aabbccddeeff"));
        assertThat(answer).containsExactly(Map.entry("CHAP_N", "target"), Map.entry("CHAP_R", BinaryValues.hex(expected)));
    }

    @Test
    void wrongSecretWrongUserMissingResponseFail0201() throws Exception {
        Map<String, String> c = exchange.onKeys(Map.of("CHAP_A", "5"));
        assertThat(status(() -> exchange.onKeys(Map.of("CHAP_N", "alice", "CHAP_R", respond(c, "wrong-secret-16b")))))
                .isEqualTo(LoginStatus.AUTHENTICATION_FAILURE);
        ChapExchange e2 = new ChapExchange(MUTUAL, new SecureRandom());
        Map<String, String> c2 = e2.onKeys(Map.of("CHAP_A", "5"));
        assertThat(status(() -> e2.onKeys(Map.of("CHAP_N", "mallory", "CHAP_R", respond(c2, "alice-secret-16b")))))
                .isEqualTo(LoginStatus.AUTHENTICATION_FAILURE);
        ChapExchange e3 = new ChapExchange(MUTUAL, new SecureRandom());
        e3.onKeys(Map.of("CHAP_A", "5"));
        assertThat(status(() -> e3.onKeys(Map.of("CHAP_N", "alice")))).isEqualTo(LoginStatus.AUTHENTICATION_FAILURE);
        assertThat(e3.authenticated()).isFalse();
    }

    @Test
    void truncatedResponseFails() throws Exception {
        Map<String, String> c = exchange.onKeys(Map.of("CHAP_A", "5"));
        String r = respond(c, "alice-secret-16b");
        assertThat(status(() -> exchange.onKeys(Map.of("CHAP_N", "alice", "CHAP_R", r.substring(0, r.length() - 2)))))
                .isEqualTo(LoginStatus.AUTHENTICATION_FAILURE);
    }

    @Test
    void reflectedChallengeIsRefused() throws Exception {
        Map<String, String> c = exchange.onKeys(Map.of("CHAP_A", "5"));
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("CHAP_N", "alice");
        keys.put("CHAP_R", respond(c, "alice-secret-16b"));
        keys.put("CHAP_I", c.get("CHAP_I"));
        keys.put("CHAP_C", c.get("CHAP_C"));
        assertThat(status(() -> exchange.onKeys(keys))).isEqualTo(LoginStatus.AUTHENTICATION_FAILURE);
    }

    @Test
    void mutualRequestWithoutMutualCredentialsFails() throws Exception {
        ChapExchange oneWay = new ChapExchange(ONE_WAY, new SecureRandom());
        Map<String, String> c = oneWay.onKeys(Map.of("CHAP_A", "5"));
        Map<String, String> keys = Map.of("CHAP_N", "alice", "CHAP_R", respond(c, "alice-secret-16b"),
                "CHAP_I", "1", "CHAP_C", "0x0102030405060708090a0b0c0d0e0f10");
        assertThat(status(() -> oneWay.onKeys(keys))).isEqualTo(LoginStatus.AUTHENTICATION_FAILURE);
    }

    @Test
    void unsupportedAlgorithmsAndKeysOutOfOrderFail() {
        assertThat(status(() -> exchange.onKeys(Map.of("CHAP_A", "1,2")))).isEqualTo(LoginStatus.AUTHENTICATION_FAILURE);
        ChapExchange e2 = new ChapExchange(MUTUAL, new SecureRandom());
        assertThat(status(() -> e2.onKeys(Map.of("CHAP_N", "alice", "CHAP_R", "0x00"))))
                .isEqualTo(LoginStatus.INITIATOR_ERROR);
    }
}
