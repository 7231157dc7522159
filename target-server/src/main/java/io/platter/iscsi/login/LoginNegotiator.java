package io.platter.iscsi.login;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Answers the keys of one login or text request (RFC 7143 §6.2, §13) by the rules of
 * {@link LoginKey}, recording results in {@link SessionParameters}. Never answers a key the
 * initiator did not offer; the caller adds TargetAlias/TargetAddress/TargetPortalGroupTag.
 */
public final class LoginNegotiator {

    /** Login stages (RFC 7143 §11.12.3 CSG/NSG). */
    public static final int SECURITY = 0;
    public static final int OPERATIONAL = 1;
    public static final int FULL_FEATURE = 3;

    private LoginNegotiator() {
    }

    /**
     * Negotiates {@code offered} in {@code stage} and returns the answer pairs in offer order.
     *
     * @throws LoginException for keys that make the login fail (e.g. a security key in the
     *                        operational stage, or no acceptable AuthMethod)
     */
    public static Map<String, String> negotiate(Map<String, String> offered, int stage, SessionParameters params)
            throws LoginException {
        return negotiate(offered, stage, params, LoginKey.AUTH_METHOD.ours());
    }

    /**
     * Like {@link #negotiate(Map, int, SessionParameters)}, with the AuthMethod list this login
     * accepts: {@code CHAP} when the target or discovery requires it, else {@code None}.
     */
    public static Map<String, String> negotiate(Map<String, String> offered, int stage, SessionParameters params,
                                                String authMethods) throws LoginException {
        return negotiate(offered, stage, params, authMethods, Map.of());
    }

    /**
     * Like {@link #negotiate(Map, int, SessionParameters, String)}, with values of this target that
     * replace the table's {@link LoginKey#ours()} (server limits such as MaxConnections).
     */
    public static Map<String, String> negotiate(Map<String, String> offered, int stage, SessionParameters params,
                                                String authMethods, Map<LoginKey, String> ours)
            throws LoginException {
        Map<String, String> answer = new LinkedHashMap<>();
        // MaxBurstLength first: FirstBurstLength must not exceed it (RFC 7143 §13.14).
        String maxBurst = offered.get(LoginKey.MAX_BURST_LENGTH.keyName());
        if (maxBurst != null) {
            apply(LoginKey.MAX_BURST_LENGTH, maxBurst, stage, params, answer, authMethods, ours);
        }
        for (Map.Entry<String, String> e : offered.entrySet()) {
            String name = e.getKey();
            String value = e.getValue();
            LoginKey key = LoginKey.byName(name);
            if (key == LoginKey.MAX_BURST_LENGTH) {
                continue;
            }
            if (key == null) {
                // Unknown and vendor-specific (X-, X#) keys (RFC 7143 §6.2, §13.16).
                answer.put(name, "NotUnderstood");
                continue;
            }
            if (value.equals("NotUnderstood") || value.equals("Irrelevant") || value.equals("Reject")) {
                continue;
            }
            apply(key, value, stage, params, answer, authMethods, ours);
        }
        // A MaxBurstLength below the default FirstBurstLength (65536) also lowers an unoffered
        // FirstBurstLength: it never exceeds MaxBurstLength (RFC 7143 §13.14).
        if (params.firstBurstLength() > params.maxBurstLength()) {
            params.set(LoginKey.FIRST_BURST_LENGTH, Integer.toString(params.maxBurstLength()));
        }
        // Keep the LinkedHashMap in offer order, with MaxBurstLength where it was offered.
        Map<String, String> ordered = new LinkedHashMap<>();
        for (String name : offered.keySet()) {
            if (answer.containsKey(name)) {
                ordered.put(name, answer.get(name));
            }
        }
        return ordered;
    }

    private static void apply(LoginKey key, String value, int stage, SessionParameters params,
                              Map<String, String> answer, String authMethods, Map<LoginKey, String> ours)
            throws LoginException {
        switch (key) {
            case INITIATOR_NAME, TARGET_NAME, INITIATOR_ALIAS -> params.set(key, DeclaredNames.checked(key, value));
            case SESSION_TYPE -> {
                if (!value.equals("Normal") && !value.equals("Discovery")) {
                    throw new LoginException(LoginStatus.SESSION_TYPE_NOT_SUPPORTED, "SessionType " + value);
                }
                params.set(key, value);
            }
            case MAX_RECV_DATA_SEGMENT_LENGTH -> {
                if (!key.inRange(value)) {
                    answer.put(key.keyName(), "Reject");
                    return;
                }
                params.set(key, Long.toString(LoginKey.parseNumber(value)));
                answer.put(key.keyName(), key.ours());
            }
            case AUTH_METHOD -> {
                if (stage != SECURITY) {
                    throw new LoginException(LoginStatus.INITIATOR_ERROR, "AuthMethod outside the security stage");
                }
                String result = key.negotiate(value, authMethods);
                if (result.equals("Reject")) {
                    throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE, "no acceptable AuthMethod in " + value);
                }
                params.set(key, result);
                answer.put(key.keyName(), result);
            }
            case SEND_TARGETS, TARGET_ALIAS, TARGET_ADDRESS, TARGET_PORTAL_GROUP_TAG ->
                    answer.put(key.keyName(), "Irrelevant");
            case FIRST_BURST_LENGTH -> {
                String result = key.negotiate(value, key.ours());
                if (!result.equals("Reject")) {
                    long capped = Math.min(Long.parseLong(result), params.maxBurstLength());
                    result = Long.toString(capped);
                    params.set(key, result);
                }
                answer.put(key.keyName(), result);
            }
            default -> {
                String result = key.negotiate(value, ours.getOrDefault(key, key.ours()));
                if (!result.equals("Reject")) {
                    params.set(key, result);
                }
                answer.put(key.keyName(), result);
            }
        }
    }
}
