package io.platter.iscsi.login;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The text format of login and text PDUs (RFC 7143 §6.1): {@code key=value} pairs, each ended
 * by a NUL byte, UTF-8, keys at most 63 bytes, values at most 8192 bytes (§6.1, §6.2).
 * Parsing never throws anything but {@link TextFormatException}.
 */
public final class TextParameters {
    static final int MAX_KEY_LENGTH = 63;
    static final int MAX_VALUE_LENGTH = 8192;

    private TextParameters() {
    }

    /** Parses every pair in order; a repeated key is an error (RFC 7143 §6.1). */
    public static Map<String, String> parse(ByteBuf text) throws TextFormatException {
        Map<String, String> pairs = new LinkedHashMap<>();
        int index = text.readerIndex();
        int end = text.writerIndex();
        while (index < end) {
            int nul = text.indexOf(index, end, (byte) 0);
            int pairEnd = nul < 0 ? end : nul;
            if (pairEnd == index) {
                index++; // tolerate padding NULs
                continue;
            }
            String pair = utf8(text, index, pairEnd - index);
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new TextFormatException("malformed text pair (no key=value)");
            }
            String key = pair.substring(0, eq);
            String value = pair.substring(eq + 1);
            if (key.length() > MAX_KEY_LENGTH || !validKey(key)) {
                throw new TextFormatException("invalid key name");
            }
            if (value.length() > MAX_VALUE_LENGTH) {
                throw new TextFormatException("value of " + key + " too long");
            }
            if (pairs.putIfAbsent(key, value) != null) {
                throw new TextFormatException("key " + key + " repeated");
            }
            index = pairEnd + 1;
        }
        return pairs;
    }

    /** Strict UTF-8 (RFC 7143 §6.1): malformed bytes are an error, never replaced with U+FFFD. */
    private static String utf8(ByteBuf text, int index, int length) throws TextFormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(text.nioBuffer(index, length)).toString();
        } catch (CharacterCodingException e) {
            throw new TextFormatException("text is not valid UTF-8");
        }
    }

    /** Key names: letters, digits, '.', '-', '+', '@', '_' (RFC 7143 §6.1 standard-label). */
    private static boolean validKey(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '-' || c == '+' || c == '@' || c == '_' || c == '#';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Encodes pairs in order into a new buffer from {@code alloc} (owned by the caller). */
    public static ByteBuf encode(ByteBufAllocator alloc, Map<String, String> pairs) {
        return encode(alloc, pairs.entrySet());
    }

    /** Encodes pairs in order, keys may repeat (SendTargets answers). */
    public static ByteBuf encode(ByteBufAllocator alloc, Iterable<? extends Map.Entry<String, String>> pairs) {
        ByteBuf out = alloc.buffer();
        pairs.forEach(e -> {
            String k = e.getKey();
            String v = e.getValue();
            out.writeCharSequence(k, StandardCharsets.UTF_8);
            out.writeByte('=');
            out.writeCharSequence(v, StandardCharsets.UTF_8);
            out.writeByte(0);
        });
        return out;
    }

    /** Malformed text: answered with login status 02/00 or a Reject, never a crash. */
    public static final class TextFormatException extends Exception {
        public TextFormatException(String message) {
            super(message, null, false, false);
        }
    }
}
