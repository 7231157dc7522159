package io.platter.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as written in the config file and given to the CLI and the API: one parser for all
 * three, so {@code 10G} means the same wherever it is written. The units (IEC 80000-13 words,
 * see docs/cli-sizes.md):
 *
 * <table>
 * <caption>size units</caption>
 * <tr><th>written</th><th>means</th></tr>
 * <tr><td>{@code 4096}, {@code 4096B}</td><td>bytes</td></tr>
 * <tr><td>{@code K M G T P}, {@code KiB MiB GiB TiB PiB}, {@code Ki Mi Gi Ti Pi}</td>
 *     <td>binary: 2^10, 2^20, 2^30, 2^40, 2^50 (as qemu-img, targetcli, lvcreate)</td></tr>
 * <tr><td>{@code KB MB GB TB PB}</td><td>decimal (SI): 10^3, 10^6, 10^9, 10^12, 10^15 (as disk labels)</td></tr>
 * </table>
 *
 * <p>The prefix letter and the {@code i} take either case ({@code 1k}, {@code 1gib}); the {@code B}
 * must be a capital, because a lower-case {@code b} reads as bits ({@code 10Gb} is refused, not
 * guessed). Whole numbers only: {@code 1.5G} is refused with the exact spelling to use instead.
 */
public final class Sizes {

    /** A number, optional blanks, an optional unit; the sign is checked apart for a clearer message. */
    private static final Pattern SIZE = Pattern.compile("([+-]?)(\\d+)(?:\\.(\\d+))?\\s*([A-Za-z]*)");
    /** Unit spelling (upper-cased) to its multiplier. */
    private static final Map<String, BigInteger> UNITS = units();
    /** The binary unit letters, smallest first; {@link #format} writes these. */
    private static final String BINARY = "KMGTP";

    private Sizes() {
    }

    /** The unit table; each spelling once (checked). */
    private static Map<String, BigInteger> units() {
        Map<String, BigInteger> m = new HashMap<>();
        put(m, "", BigInteger.ONE);
        put(m, "B", BigInteger.ONE);
        for (int i = 0; i < BINARY.length(); i++) {
            String p = BINARY.substring(i, i + 1);
            BigInteger binary = BigInteger.TWO.pow(10 * (i + 1));
            put(m, p, binary);
            put(m, p + "I", binary);
            put(m, p + "IB", binary);
            put(m, p + "B", BigInteger.TEN.pow(3 * (i + 1)));
        }
        return Map.copyOf(m);
    }

    private static void put(Map<String, BigInteger> m, String unit, BigInteger multiplier) {
        if (m.put(unit, multiplier) != null) {
            throw new ExceptionInInitializerError("duplicate size unit " + unit);
        }
    }

    /**
     * Parses a size (see the class comment for the units).
     *
     * @throws IllegalArgumentException with a message for a person if {@code text} is not a size,
     *                                  is negative, has a fraction, or does not fit in a long
     */
    public static long parse(String text) {
        Matcher m = match(text);
        if (!m.group(1).isEmpty()) {
            throw new IllegalArgumentException("\"" + text.strip() + "\" is not a size: a size has no sign");
        }
        return bytes(text, m);
    }

    /**
     * Parses a new size given absolutely ({@code 20G}) or relative to the current one
     * ({@code +10G} grows by 10 GiB, {@code -1G} shrinks by 1 GiB), as {@code volume resize --size}.
     *
     * @throws IllegalArgumentException as {@link #parse}
     */
    public static Change parseChange(String text) {
        Matcher m = match(text);
        long bytes = bytes(text, m);
        return new Change(switch (m.group(1)) {
            case "+" -> Change.Kind.GROW;
            case "-" -> Change.Kind.SHRINK;
            default -> Change.Kind.ABSOLUTE;
        }, bytes);
    }

    private static Matcher match(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("a size must not be empty (use e.g. 512M, 10G)");
        }
        Matcher m = SIZE.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + t + "\" is not a size (use a whole number with an"
                    + " optional unit, e.g. 4096, 512M, 10GiB, 10GB)");
        }
        String unit = m.group(4);
        if (!UNITS.containsKey(unit.toUpperCase(Locale.ROOT))) {
            throw new IllegalArgumentException("\"" + t + "\" has an unknown unit \"" + unit
                    + "\" (use K, M, G, T, P or KiB, MiB... for binary, KB, MB, GB, TB, PB for decimal units)");
        }
        if (unit.endsWith("b")) {
            String number = t.substring(0, t.length() - unit.length()).strip();
            String prefix = unit.substring(0, 1).toUpperCase(Locale.ROOT);
            throw new IllegalArgumentException("\"" + t + "\" is ambiguous: a lower-case b reads as bits; write "
                    + (unit.length() == 1 ? number + "B for bytes"
                            : number + prefix + "iB for binary or " + number + prefix + "B for decimal units"));
        }
        return m;
    }

    private static long bytes(String text, Matcher m) {
        BigInteger multiplier = UNITS.get(m.group(4).toUpperCase(Locale.ROOT));
        String t = text.strip();
        if (m.group(3) != null) {
            BigDecimal exact = new BigDecimal(m.group(2) + "." + m.group(3)).multiply(new BigDecimal(multiplier));
            String hint;
            try {
                BigInteger whole = exact.toBigIntegerExact();
                hint = whole.bitLength() < Long.SIZE ? "; write " + format(whole.longValueExact()) : "";
            } catch (ArithmeticException notWhole) {
                hint = "; it is not a whole number of bytes";
            }
            throw new IllegalArgumentException("\"" + t + "\" is not a size: whole numbers only" + hint);
        }
        BigInteger value = new BigInteger(m.group(2)).multiply(multiplier);
        if (value.bitLength() >= Long.SIZE) {
            throw new IllegalArgumentException("size too large: \"" + t + "\"");
        }
        return value.longValue();
    }

    /**
     * Formats {@code bytes} in the largest binary unit that represents it exactly: {@code 1G},
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
        for (int unit = BINARY.length(); unit > 0; unit--) {
            int shift = 10 * unit;
            if ((bytes & ((1L << shift) - 1)) == 0) {
                return (bytes >>> shift) + BINARY.substring(unit - 1, unit);
            }
        }
        return Long.toString(bytes);
    }

    /**
     * A new size: absolute, or grown or shrunk by {@code bytes} from the current size.
     *
     * @param bytes the size, or the amount to grow or shrink by; never negative
     */
    public record Change(Kind kind, long bytes) {

        /** How {@link #bytes} relates to the current size. */
        public enum Kind { ABSOLUTE, GROW, SHRINK }

        /**
         * The size this change makes of {@code current}.
         *
         * @throws IllegalArgumentException when the result would not be positive or overflows
         */
        public long applyTo(long current) {
            long next = switch (kind) {
                case ABSOLUTE -> bytes;
                case GROW -> current > Long.MAX_VALUE - bytes ? -1 : current + bytes;
                case SHRINK -> current - bytes;
            };
            if (kind == Kind.GROW && next < 0) {
                throw new IllegalArgumentException("growing " + format(current) + " by " + format(bytes)
                        + " is too large");
            }
            if (kind == Kind.SHRINK && next <= 0) {
                throw new IllegalArgumentException("shrinking " + format(current) + " by " + format(bytes)
                        + " leaves nothing");
            }
            return next;
        }

        /** As given: {@code 20G}, {@code +10G}, {@code -1G}. */
        @Override
        public String toString() {
            return (kind == Kind.GROW ? "+" : kind == Kind.SHRINK ? "-" : "") + format(bytes);
        }
    }
}
