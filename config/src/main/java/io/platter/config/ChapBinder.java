package io.platter.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds the access-control keys: a {@code chap:} / {@code discovery-chap:} mapping (RFC 7143
 * §12.1.3) and a target's {@code acl:} list of initiator names (RFC 7143 §4.2.7). Secrets are
 * never quoted in a problem or warning.
 */
final class ChapBinder {

    private ChapBinder() {
    }

    /** The credentials of a CHAP mapping; null when anything in it is wrong (reported). */
    static ChapCredentials chap(Section c) {
        boolean allowShort = allowShort(c);
        String user = c.text(ConfigKey.CHAP_USER);
        String secret = secret(c, ConfigKey.CHAP_SECRET, allowShort);
        boolean ok = user != null && secret != null;
        String mutualUser = null;
        String mutualSecret = null;
        if (c.has(ConfigKey.MUTUAL_USER) || c.has(ConfigKey.MUTUAL_SECRET)) {
            mutualUser = c.text(ConfigKey.MUTUAL_USER);
            if (mutualUser == null) {
                c.problem(ConfigKey.MUTUAL_USER, "missing: mutual CHAP needs mutual-user and mutual-secret");
            }
            mutualSecret = secret(c, ConfigKey.MUTUAL_SECRET, allowShort);
            ok &= mutualUser != null && mutualSecret != null;
        }
        String same = ChapCredentials.mutualProblem(secret, mutualSecret).orElse(null);
        if (same != null) {
            c.problem(ConfigKey.MUTUAL_SECRET, same);
            ok = false;
        }
        return ok ? new ChapCredentials(user, secret, mutualUser, mutualSecret) : null;
    }

    /** {@code allow-short-secret: true}: the operator's explicit consent to secrets under 12 bytes. */
    private static boolean allowShort(Section c) {
        Object raw = c.scalar(ConfigKey.ALLOW_SHORT_SECRET);
        if (raw == null || raw instanceof Boolean) {
            return Boolean.TRUE.equals(raw);
        }
        c.problem(ConfigKey.ALLOW_SHORT_SECRET, "expected true or false, got " + Section.yamlType(raw));
        return false;
    }

    /**
     * A secret as written; it must be quoted text when YAML would read it as another type, and at
     * least {@value ChapCredentials#MIN_RECOMMENDED_SECRET_BYTES} bytes unless {@code allowShort}
     * (then a shorter one is only a warning).
     */
    private static String secret(Section c, ConfigKey key, boolean allowShort) {
        Object raw = c.scalar(key);
        if (raw == null) {
            if (!key.required()) {
                c.problem(key, "missing: mutual CHAP needs mutual-user and mutual-secret");
            }
            return null; // a missing required key is reported by scalar()
        }
        if (!(raw instanceof String text)) {
            // A number such as 0123456789012 would reach us changed (octal, dropped zeros).
            c.problem(key, "YAML reads this secret as " + Section.yamlType(raw) + "; put it in quotes");
            return null;
        }
        if (text.equals(ConfigWriter.SECRET_PLACEHOLDER)) {
            // An export made without --include-secrets: say what to do rather than "too long" or "weak".
            c.problem(key, "the secret was left out when this file was exported (platter config export"
                    + " without --include-secrets); write the real secret here");
            return null;
        }
        String problem = ChapCredentials.secretProblem(text).orElse(null);
        if (problem != null) {
            c.problem(key, problem);
            return null;
        }
        String weak = ChapCredentials.secretWarning(text).orElse(null);
        if (weak != null && !allowShort) {
            c.problem(key, weak + "; set " + ConfigKey.ALLOW_SHORT_SECRET.word() + ": true to accept it anyway");
            return null;
        }
        if (weak != null) {
            c.warn(key, weak);
        }
        return text;
    }

    /** The initiator names of a target's ACL, normalized; bad and repeated names are reported. */
    static List<String> acl(Section target) {
        List<String> out = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        for (Section.Item item : target.items(ConfigKey.ACL)) {
            if (!(item.value() instanceof String text)) {
                target.problemAt(item.where(), "expected an initiator name, got " + Section.yamlType(item.value()));
                continue;
            }
            String reason = IscsiNames.problem(text).orElse(null);
            if (reason != null) {
                target.problemAt(item.where(), "bad iSCSI name " + ConfigKey.IQN.show(text) + ": " + reason);
                continue;
            }
            String name = IscsiNames.normalize(text);
            String first = seen.putIfAbsent(name, item.where());
            if (first != null) {
                target.problemAt(item.where(), "duplicate initiator " + ConfigKey.IQN.show(name) + " (also " + first + ")");
            } else {
                out.add(name);
            }
        }
        return out;
    }
}
