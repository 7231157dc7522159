package io.platter.iscsi.login;

import io.platter.config.IscsiNames;
import java.nio.charset.StandardCharsets;

/**
 * The names an initiator declares at login, checked before anything uses them: InitiatorName and
 * TargetName must be iSCSI names (RFC 7143 §4.2.7: iqn., eui. or naa. form, at most 223 bytes,
 * the RFC 3722 stringprep profile, which maps upper case to lower case and allows no spaces,
 * control characters or symbols); InitiatorAlias is free text (RFC 7143 §13.6) but gets no
 * control characters and at most {@value #MAX_ALIAS_BYTES} bytes. A name passes in its
 * stringprep (lower-case) form, so the session, its I_T nexus and the persisted reservations all
 * see one spelling.
 */
final class DeclaredNames {
    /** Longest alias we accept, in bytes of UTF-8: room for any host name. */
    static final int MAX_ALIAS_BYTES = 255;

    private DeclaredNames() {
    }

    /**
     * The value {@code key} is recorded with.
     *
     * @throws LoginException 02/00 (initiator error, RFC 7143 §11.13.5: the request is malformed;
     *                        02/07 "missing parameter" is for a name that is absent) for a bad value
     */
    static String checked(LoginKey key, String value) throws LoginException {
        if (key == LoginKey.INITIATOR_ALIAS) {
            if (hasControl(value) || value.getBytes(StandardCharsets.UTF_8).length > MAX_ALIAS_BYTES) {
                throw new LoginException(LoginStatus.INITIATOR_ERROR, "malformed " + key.keyName());
            }
            return value;
        }
        String problem = hasControl(value) || !value.equals(value.strip()) ? "control or space characters"
                : IscsiNames.problem(value).orElse(null);
        if (problem != null) {
            // The value itself is not repeated: the reason is enough, and the log stays short.
            throw new LoginException(LoginStatus.INITIATOR_ERROR, "malformed " + key.keyName() + ": " + problem);
        }
        return IscsiNames.normalize(value);
    }

    private static boolean hasControl(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                return true;
            }
        }
        return false;
    }
}
