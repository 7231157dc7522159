package io.platter.iscsi.auth;

import java.util.Base64;
import java.util.HexFormat;

/**
 * Binary and numerical values of login keys (RFC 7143 §6.1): {@code 0x}/{@code 0X} hex constants
 * (an odd digit count means an implied leading zero) and {@code 0b}/{@code 0B} base64 constants
 * (RFC 4648 alphabet with padding); numbers in decimal or hex.
 */
public final class BinaryValues {
    /** The largest binary value this target accepts (RFC 7143 §12.1.3 caps CHAP_C at 1024 bytes). */
    public static final int MAX_BYTES = 1024;

    private BinaryValues() {
    }

    /** The bytes of a binary value. */
    public static byte[] decode(String value) throws BadValueException {
        if (value.length() < 3 || value.charAt(0) != '0') {
            throw new BadValueException("not a binary value (0x or 0b prefix)");
        }
        char kind = Character.toLowerCase(value.charAt(1));
        String body = value.substring(2);
        byte[] bytes;
        try {
            if (kind == 'x') {
                bytes = HexFormat.of().parseHex(body.length() % 2 == 0 ? body : "0" + body);
            } else if (kind == 'b') {
                bytes = Base64.getDecoder().decode(body);
            } else {
                throw new BadValueException("not a binary value (0x or 0b prefix)");
            }
        } catch (IllegalArgumentException e) {
            throw new BadValueException("malformed " + (kind == 'x' ? "hex" : "base64") + " value");
        }
        if (bytes.length > MAX_BYTES) {
            throw new BadValueException("binary value longer than " + MAX_BYTES + " bytes");
        }
        return bytes;
    }

    /** {@code 0x} followed by lower-case hex digits, the encoding every initiator reads. */
    public static String hex(byte[] bytes) {
        return "0x" + HexFormat.of().formatHex(bytes);
    }

    /** {@code 0b} followed by base64. */
    public static String base64(byte[] bytes) {
        return "0b" + Base64.getEncoder().encodeToString(bytes);
    }

    /** A numerical value in decimal or {@code 0x} hex; null when malformed or negative. */
    public static Long number(String value) {
        try {
            if (value.length() > 2 && (value.startsWith("0x") || value.startsWith("0X"))) {
                String digits = value.substring(2);
                boolean hex = digits.length() <= 15 && digits.chars().allMatch(c -> Character.digit(c, 16) >= 0);
                return hex ? Long.parseLong(digits, 16) : null;
            }
            if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(Character::isDigit)) {
                return null;
            }
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A key value that is not a well-formed binary value. */
    public static final class BadValueException extends Exception {
        public BadValueException(String message) {
            super(message, null, false, false);
        }
    }
}
