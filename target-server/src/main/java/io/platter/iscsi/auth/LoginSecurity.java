package io.platter.iscsi.auth;

import io.platter.config.ChapCredentials;
import java.security.SecureRandom;

/**
 * Server-wide login security: the CHAP credentials discovery sessions must prove, the throttle
 * on failed logins, and the randomness challenges come from.
 *
 * @param discoveryChap credentials for SessionType=Discovery, or {@code null} for none
 * @param throttle      failed logins per source address
 * @param random        source of CHAP identifiers and challenges
 */
public record LoginSecurity(ChapCredentials discoveryChap, LoginThrottle throttle, SecureRandom random) {

    /** No discovery authentication, the default throttle. */
    public static LoginSecurity open() {
        return new LoginSecurity(null, LoginThrottle.defaults(), new SecureRandom());
    }

    /** Discovery authenticated with {@code discoveryChap} (null for none), the default throttle. */
    public static LoginSecurity withDiscoveryChap(ChapCredentials discoveryChap) {
        return new LoginSecurity(discoveryChap, LoginThrottle.defaults(), new SecureRandom());
    }

    /** This security with other discovery credentials (null for none); the throttle carries over. */
    public LoginSecurity withDiscoveryCredentials(ChapCredentials chap) {
        return new LoginSecurity(chap, throttle, random);
    }
}
