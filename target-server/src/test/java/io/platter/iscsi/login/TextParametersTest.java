package io.platter.iscsi.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The key=value text format (RFC 7143 §6.1). */
class TextParametersTest {

    static Map<String, String> parse(byte[] bytes) throws TextParameters.TextFormatException {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer().writeBytes(bytes);
        try {
            return TextParameters.parse(buf);
        } finally {
            buf.release();
        }
    }

    static Map<String, String> parse(String text) throws TextParameters.TextFormatException {
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parsesPairsInOrder() throws Exception {
        Map<String, String> pairs = parse("InitiatorName=iqn.1994-05.com.redhat:x\0SessionType=Normal\0"
                + "HeaderDigest=None,CRC32C\0X-com.example.Key=a=b\0Empty=\0");
        assertThat(pairs).containsExactly(
                Map.entry("InitiatorName", "iqn.1994-05.com.redhat:x"),
                Map.entry("SessionType", "Normal"),
                Map.entry("HeaderDigest", "None,CRC32C"),
                Map.entry("X-com.example.Key", "a=b"),
                Map.entry("Empty", ""));
    }

    @Test
    void toleratesPaddingNulsAndAMissingFinalNul() throws Exception {
        assertThat(parse("A=1\0\0\0\0B=2")).containsExactly(Map.entry("A", "1"), Map.entry("B", "2"));
        assertThat(parse("")).isEmpty();
    }

    @Test
    void parsesUtf8Values() throws Exception {
        assertThat(parse("TargetAlias=plätter ☃\0")).containsEntry("TargetAlias", "plätter ☃");
    }

    @Test
    void encodeThenParseRoundTrips() throws Exception {
        Map<String, String> pairs = new LinkedHashMap<>();
        pairs.put("TargetName", "iqn.2024-01.io.platter:disk");
        pairs.put("TargetAlias", "été");
        pairs.put("MaxRecvDataSegmentLength", "262144");
        pairs.put("X#vendor", "");
        ByteBuf encoded = TextParameters.encode(PooledByteBufAllocator.DEFAULT, pairs);
        try {
            assertThat(new String(ByteBufUtil.getBytes(encoded), StandardCharsets.UTF_8))
                    .isEqualTo("TargetName=iqn.2024-01.io.platter:disk\0TargetAlias=été\0"
                            + "MaxRecvDataSegmentLength=262144\0X#vendor=\0");
            assertThat(TextParameters.parse(encoded)).containsExactlyEntriesOf(pairs);
        } finally {
            encoded.release();
        }
    }

    @Test
    void encodesRepeatedKeys() {
        ByteBuf encoded = TextParameters.encode(Unpooled.buffer().alloc(), List.of(
                Map.entry("TargetName", "a"), Map.entry("TargetAddress", "1"),
                Map.entry("TargetName", "b"), Map.entry("TargetAddress", "2")));
        try {
            assertThat(encoded.toString(StandardCharsets.UTF_8))
                    .isEqualTo("TargetName=a\0TargetAddress=1\0TargetName=b\0TargetAddress=2\0");
        } finally {
            encoded.release();
        }
    }

    @Test
    void keyOfSixtyThreeBytesIsAccepted() throws Exception {
        String key = "K".repeat(63);
        assertThat(parse(key + "=v\0")).containsEntry(key, "v");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "NoEquals\0",                 // no '='
        "=value\0",                   // empty key
        "A=1\0A=2\0",                 // repeated key
        "Bad Key=1\0",                // space in a key
        "Bad/Key=1\0",                // '/' in a key
        "Bad:Key=1\0",                // ':' in a key
        "Ключ=1\0",                   // non-ASCII key
    })
    void malformedTextIsATextFormatException(String text) {
        assertThatThrownBy(() -> parse(text)).isInstanceOf(TextParameters.TextFormatException.class);
    }

    @Test
    void keyTooLongIsATextFormatException() {
        assertThatThrownBy(() -> parse("K".repeat(64) + "=v\0"))
                .isInstanceOf(TextParameters.TextFormatException.class);
    }

    @Test
    void valueTooLongIsATextFormatException() {
        assertThatThrownBy(() -> parse("K=" + "v".repeat(8193) + "\0"))
                .isInstanceOf(TextParameters.TextFormatException.class);
    }

    @Test
    void nonUtf8BytesAreATextFormatException() {
        // 0xc3 0x28 is an invalid two-byte sequence; 0xff never occurs in UTF-8.
        assertThatThrownBy(() -> parse(new byte[] {'K', '=', (byte) 0xc3, 0x28, 0}))
                .isInstanceOf(TextParameters.TextFormatException.class);
        assertThatThrownBy(() -> parse(new byte[] {'K', '=', (byte) 0xff, 0}))
                .isInstanceOf(TextParameters.TextFormatException.class);
        assertThatThrownBy(() -> parse(new byte[] {(byte) 0xff, '=', '1', 0}))
                .isInstanceOf(TextParameters.TextFormatException.class);
    }

    @Test
    void parsesTextSpreadOverAComposite() throws Exception {
        var composite = PooledByteBufAllocator.DEFAULT.compositeBuffer();
        composite.addComponent(true, Unpooled.copiedBuffer("Initiator", StandardCharsets.UTF_8));
        composite.addComponent(true, Unpooled.copiedBuffer("Name=iqn.x\0Sess", StandardCharsets.UTF_8));
        composite.addComponent(true, Unpooled.copiedBuffer("ionType=Normal\0", StandardCharsets.UTF_8));
        try {
            assertThat(TextParameters.parse(composite)).containsExactly(
                    Map.entry("InitiatorName", "iqn.x"), Map.entry("SessionType", "Normal"));
        } finally {
            composite.release();
        }
    }
}
