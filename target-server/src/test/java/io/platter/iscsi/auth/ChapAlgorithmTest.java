package io.platter.iscsi.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RFC 1994 §4.1 responses, H(identifier || secret || challenge); vectors computed with Python's hashlib. */
class ChapAlgorithmTest {
    static final int ID = 0x2a;
    static final byte[] SECRET = "platter-secret-1".getBytes(StandardCharsets.UTF_8);
    static final byte[] CHALLENGE = HexFormat.of().parseHex("8f3a1b2c4d5e6f708192a3b4c5d6e7f8");

    private static String response(ChapAlgorithm a) {
        return HexFormat.of().formatHex(a.response(ID, SECRET, CHALLENGE));
    }

    @Test
    void md5Vector() {
        assertThat(response(ChapAlgorithm.MD5)).isEqualTo("a179d0689d749558f28dee27b8cb1e35");
    }

    @Test
    void shaVectors() {
        assertThat(response(ChapAlgorithm.SHA1)).isEqualTo("9b7de3cca6a34815c5a21904cd20b0edacd399d9");
        assertThat(response(ChapAlgorithm.SHA256))
                .isEqualTo("9bb414769313f01b0192ac7a42a88d8dbc53e5034c0190c01d6d20cc41f2afbb");
        assertThat(response(ChapAlgorithm.SHA3_256))
                .isEqualTo("062a9f922dc7c0fd8ca24fe1823fb227ffb70519faa2da942822663df40a16b8");
    }

    @Test
    void theIdentifierIsOneByte() {
        assertThat(ChapAlgorithm.MD5.response(0x12a, SECRET, CHALLENGE))
                .isEqualTo(ChapAlgorithm.MD5.response(ID, SECRET, CHALLENGE));
        assertThat(ChapAlgorithm.MD5.response(ID + 1, SECRET, CHALLENGE))
                .isNotEqualTo(ChapAlgorithm.MD5.response(ID, SECRET, CHALLENGE));
    }

    @Test
    void wireValuesAndLengths() {
        assertThat(ChapAlgorithm.values()).extracting(ChapAlgorithm::wire).containsExactly(5, 6, 7, 8);
        assertThat(ChapAlgorithm.values()).extracting(ChapAlgorithm::digestLength).containsExactly(16, 20, 32, 32);
    }

    @Test
    void choosesTheFirstSupportedInTheInitiatorsOrder() {
        assertThat(ChapAlgorithm.choose("5")).contains(ChapAlgorithm.MD5);
        assertThat(ChapAlgorithm.choose("7,5")).contains(ChapAlgorithm.SHA256);
        assertThat(ChapAlgorithm.choose("5,7")).contains(ChapAlgorithm.MD5);
        assertThat(ChapAlgorithm.choose("128,0x6,5")).contains(ChapAlgorithm.SHA1);
        assertThat(ChapAlgorithm.choose("1,2,x,")).isEmpty();
    }
}
