package io.platter.server.logging;

/**
 * Makes any text safe for one log line: control characters (C0, DEL, C1) and the Unicode line
 * and paragraph separators become visible escapes ({@code \n}, {@code \r}, {@code \t},
 * {@code \x1b}, {@code \u2028}), and a backslash becomes {@code \\} so an escape cannot be
 * forged either. A value an initiator chose (an InitiatorName, a CHAP_N) therefore can neither
 * end the line nor start a new one with a {@code <0>} journal priority (sd-daemon(3)).
 */
public final class LogText {
    private LogText() {
    }

    /** {@code text} with every control character escaped; the same instance when there is none. */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        int i = 0;
        while (i < text.length() && !needsEscape(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!needsEscape(c)) {
                out.append(c);
                continue;
            }
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> out.append(c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029' || c == '\\';
    }
}
