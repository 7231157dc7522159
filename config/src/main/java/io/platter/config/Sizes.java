package io.platter.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as written in the config file and by the CLI: a whole number of bytes ({@code 4096})
 * or a whole number with a binary unit {@code K M G T} ({@code 512M} = 512 MiB). {@code KiB}/{@code KB}
 * spellings and a trailing {@code B} are accepted and mean the same binary units, as in qemu-img.
 */
public final class Sizes {

    private static final Pattern SIZE =
            Pattern.compile("(\\d+)\\s*(?:([KMGT])(?:I?B)?|B)?");
    private static final String UNITS = "KMGT";

    private Sizes() {
    }

    /**
     * Parses a size.
     *
     * @throws IllegalArgumentException if {@code text} is not a size or does not fit in a long
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: \"" + text + "\"");
        }
        int shift = m.group(2) == null ? 0 : 10 * (UNITS.indexOf(m.group(2)) + 1);
        try {
            long number = Long.parseLong(m.group(1));
            if (number > (Long.MAX_VALUE >> shift)) {
                throw new ArithmeticException();
            }
            return number << shift;
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("size too large: \"" + text + "\"", e);
        }
    }

    /**
     * Formats {@code bytes} in the largest unit that represents it exactly: {@code 1G},
     * {@code 1536M}, {@code 4K}, {@code 1000}. {@link #parse} reads the result back to the same value.
     *
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public static String format(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative size: " + bytes);
        }
        if (bytes == 0) {
            return "0";
        }
        for (int unit = UNITS.length(); unit > 0; unit--) {
            int shift = 10 * unit;
            if ((bytes & ((1L << shift) - 1)) == 0) {
                return (bytes >>> shift) + UNITS.substring(unit - 1, unit);
            }
        }
        return Long.toString(bytes);
    }
}
