package io.platter.iscsi.login;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of the text format (RFC 7143 §6.1): any bytes parse to a map or a TextFormatException. */
class TextParametersPropertiesTest {

    @Property(tries = 3000)
    void arbitraryBytesGiveAMapOrATextFormatException(@ForAll("textLike") byte[] bytes) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer().writeBytes(bytes);
        try {
            Map<String, String> pairs = TextParameters.parse(buf);
            assertThat(pairs.keySet()).allSatisfy(k -> assertThat(k).isNotEmpty().doesNotContain("=", "\0"));
            assertThat(pairs.values()).allSatisfy(v -> assertThat(v).doesNotContain("\0"));
        } catch (TextParameters.TextFormatException expected) {
            // the only failure allowed
        } finally {
            buf.release();
        }
    }

    /** Raw bytes, biased towards '=', NUL and key characters so that well-formed pairs occur too. */
    @Provide
    Arbitrary<byte[]> textLike() {
        Arbitrary<Byte> interesting = Arbitraries.of((byte) '=', (byte) 0, (byte) 'A', (byte) 'z', (byte) '.',
                (byte) '-', (byte) 0xc3, (byte) 0xa9, (byte) 0xff, (byte) ' ');
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(3, interesting),
                        net.jqwik.api.Tuple.of(1, Arbitraries.bytes()))
                .array(byte[].class).ofMaxSize(200);
    }

    @Property(tries = 1000)
    void encodedPairsParseBack(@ForAll("pairs") Map<String, String> pairs)
            throws TextParameters.TextFormatException {
        ByteBuf encoded = TextParameters.encode(PooledByteBufAllocator.DEFAULT, pairs);
        try {
            assertThat(TextParameters.parse(encoded)).containsExactlyInAnyOrderEntriesOf(pairs);
        } finally {
            encoded.release();
        }
    }

    @Provide
    Arbitrary<Map<String, String>> pairs() {
        return Arbitraries.maps(keys(), values()).ofMaxSize(8);
    }

    Arbitrary<String> keys() {
        return Arbitraries.strings().withChars("abcXYZ019.-+@_").ofMinLength(1).ofMaxLength(63);
    }

    /** Any characters but NUL, surrogates excluded (a lone surrogate has no UTF-8 encoding). */
    Arbitrary<String> values() {
        return Arbitraries.strings().withCharRange('\u0001', '\ud7ff').withCharRange('\ue000', '\ufffd')
                .ofMaxLength(300);
    }
}
