package io.platter.config;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * iSCSI name rules (RFC 7143 §4.2.7): the iqn., eui. and naa. formats, their character set
 * and the 223-byte limit. Names compare case-insensitively, so they are kept lower-cased.
 */
public final class IscsiNames {

    /** Longest name in bytes of UTF-8 (RFC 7143 §4.2.7.1). */
    public static final int MAX_BYTES = 223;

    private static final Pattern IQN_DATE = Pattern.compile("\\d{4}-(0[1-9]|1[0-2])");
    private static final Pattern DOMAIN_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
    private static final Pattern EUI = Pattern.compile("[0-9a-f]{16}");
    private static final Pattern NAA = Pattern.compile("[0-9a-f]{16}|[0-9a-f]{32}");

    private IscsiNames() {
    }

    /**
     * The canonical form of {@code name}, the only form names are compared in: trimmed, lower-cased
     * and in Unicode NFKC, as the iSCSI stringprep profile maps them (RFC 7143 §4.2.7.2, RFC 3722
     * §3-4), so {@code IQN.…:Café} with a precomposed or a combining accent is one name. No validity check.
     */
    public static String normalize(String name) {
        String compatible = Normalizer.normalize(name.trim(), Normalizer.Form.NFKC);
        // Lower-casing can leave a non-NFKC sequence behind (rare); normalizing again makes the form stable.
        return Normalizer.normalize(compatible.toLowerCase(Locale.ROOT), Normalizer.Form.NFKC);
    }

    /** Whether {@code a} and {@code b} name the same node (compared as {@link #normalize normalized}). */
    public static boolean same(String a, String b) {
        return a == null ? b == null : b != null && normalize(a).equals(normalize(b));
    }

    /**
     * Why {@code name} is not a valid iSCSI name, or empty if it is. The name is normalized first.
     * The reason never repeats the name, so callers decide whether to quote it.
     */
    public static Optional<String> problem(String name) {
        String n = normalize(name);
        if (n.isEmpty()) {
            return Optional.of("must not be empty");
        }
        if (n.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return Optional.of("longer than " + MAX_BYTES + " bytes");
        }
        for (int i = 0; i < n.length(); ) {
            int cp = n.codePointAt(i);
            if (!allowed(cp)) {
                return Optional.of("character '" + new String(Character.toChars(cp))
                        + "' is not allowed (use a-z, 0-9, '-', '.', ':')");
            }
            i += Character.charCount(cp);
        }
        if (n.startsWith("iqn.")) {
            return iqnProblem(n.substring(4));
        }
        if (n.startsWith("eui.")) {
            return EUI.matcher(n.substring(4)).matches()
                    ? Optional.empty() : Optional.of("an eui. name needs exactly 16 hex digits");
        }
        if (n.startsWith("naa.")) {
            return NAA.matcher(n.substring(4)).matches()
                    ? Optional.empty() : Optional.of("a naa. name needs 16 or 32 hex digits");
        }
        return Optional.of("must start with iqn., eui. or naa. (e.g. iqn.2026-11.com.example:disk1)");
    }

    /** RFC 7143 §4.2.7.4: {@code iqn.yyyy-mm.reversed.domain[:anything]}. */
    private static Optional<String> iqnProblem(String rest) {
        int dot = rest.indexOf('.');
        String date = dot < 0 ? rest : rest.substring(0, dot);
        if (!IQN_DATE.matcher(date).matches()) {
            return Optional.of("an iqn. name needs a yyyy-mm date after \"iqn.\"");
        }
        int colon = rest.indexOf(':');
        String authority = dot < 0 ? "" : rest.substring(dot + 1, colon < 0 ? rest.length() : colon);
        if (colon >= 0 && colon < dot) {
            authority = "";
        }
        if (authority.isEmpty()) {
            return Optional.of("an iqn. name needs a reversed domain name after the date");
        }
        for (String label : authority.split("\\.", -1)) {
            if (!DOMAIN_LABEL.matcher(label).matches()) {
                return Optional.of("the naming authority \"" + authority + "\" is not a reversed domain name");
            }
        }
        if (colon == rest.length() - 1) {
            return Optional.of("nothing after ':'");
        }
        return Optional.empty();
    }

    private static boolean allowed(int cp) {
        if (cp < 0x80) {
            return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || cp == '-' || cp == '.' || cp == ':';
        }
        // Non-ASCII: RFC 3722 (stringprep profile) keeps letters and digits, not spaces or symbols.
        return Character.isLetterOrDigit(cp) && !Character.isUpperCase(cp);
    }
}
