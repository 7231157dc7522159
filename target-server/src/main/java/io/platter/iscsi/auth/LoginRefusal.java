package io.platter.iscsi.auth;

/**
 * Why a login to a target was refused, as the {@code reason} label of
 * {@code platter_login_failures_total}: a closed set, so the metric's cardinality stays bounded.
 * The initiator sees only the login status (RFC 7143 §11.13.5); an ACL refusal is answered as
 * 02/03 like an unknown target, so that the initiator cannot tell the two apart, but counted apart.
 */
public enum LoginRefusal {
    /** A CHAP response was checked and was wrong (or named a user the target does not know). */
    WRONG_SECRET("wrong_secret"),
    /** A CHAP response was refused unchecked: the (address, target, user) is blocked ({@link LoginThrottle}). */
    BLOCKED("blocked"),
    /** The target requires CHAP and the initiator did not get as far as a response. */
    NO_AUTHENTICATION("no_authentication"),
    /** The initiator is not in the target's ACL (RFC 7143 §4.2.7). */
    NOT_IN_ACL("not_in_acl"),
    /** The target name is not one of ours. */
    UNKNOWN_TARGET("unknown_target"),
    /** Any other refusal: negotiation errors, session limits, mutual CHAP failing after a right response. */
    OTHER("other");

    private final String label;

    LoginRefusal(String label) {
        this.label = label;
    }

    /** The metric label value. */
    public String label() {
        return label;
    }
}
