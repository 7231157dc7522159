package io.platter.iscsi.session;

import io.platter.config.ChapCredentials;
import io.platter.iscsi.auth.ChapExchange;
import io.platter.iscsi.auth.LoginRefusal;
import io.platter.iscsi.login.LoginException;
import io.platter.iscsi.login.LoginKey;
import io.platter.iscsi.login.LoginNegotiator;
import io.platter.iscsi.login.LoginStatus;
import io.platter.iscsi.login.SessionParameters;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The security stage of one login (RFC 7143 §6.3, §12.1.3): whether the target (or discovery)
 * requires CHAP, the CHAP exchange itself, and the rule that a login requiring authentication
 * leaves the security stage only once the initiator has authenticated.
 *
 * <p>Confined to the channel's event loop.
 */
final class SecurityStage {
    private final Connection connection;
    private ChapExchange exchange;
    private boolean responseChecked;
    /** Whether a CHAP response was refused unchecked because the throttle blocks it. */
    private boolean blocked;
    /** What the throttle counts a failure against besides the source: the target (or discovery), the user. */
    private String throttleTarget;
    private String throttleUser;

    SecurityStage(Connection connection) {
        this.connection = connection;
    }

    /** Decides from the first request's declarations whether this login must authenticate. */
    void require(Map<String, String> firstRequest) {
        ChapCredentials chap;
        if ("Discovery".equals(firstRequest.get(LoginKey.SESSION_TYPE.keyName()))) {
            chap = connection.security().discoveryChap();
            throttleTarget = "discovery";
        } else {
            ExportedTarget target = connection.targets().find(firstRequest.get(LoginKey.TARGET_NAME.keyName()));
            chap = target == null ? null : target.chap();
            throttleTarget = target == null ? null : target.name();
        }
        exchange = chap == null ? null : new ChapExchange(chap, connection.security().random());
    }

    /**
     * Whether the login failed on a CHAP response that was checked (a guess, which the throttle
     * counts against the source) rather than on a refusal before any response.
     */
    boolean responseChecked() {
        return responseChecked && !exchange.authenticated();
    }

    /**
     * Counts a login that failed authentication with the throttle: a checked wrong response
     * against the source address, the target and the user name; a refusal before any response
     * only in the failure count.
     */
    void failed() {
        if (responseChecked()) {
            connection.security().throttle().failed(connection.remoteHost(), throttleTarget, throttleUser);
        } else {
            connection.security().throttle().refused();
        }
    }

    /**
     * Why an authentication failure (02/01) happened, for the login-failure metric: a blocked
     * response, a wrong one, no response at all, or (other) a right response whose mutual part
     * failed.
     */
    LoginRefusal refusal() {
        if (blocked) {
            return LoginRefusal.BLOCKED;
        }
        if (!responseChecked) {
            return LoginRefusal.NO_AUTHENTICATION;
        }
        return exchange.authenticated() ? LoginRefusal.OTHER : LoginRefusal.WRONG_SECRET;
    }

    /** The CHAP user the initiator proved to be in this login, or null. */
    String authenticatedUser() {
        return authenticated() ? throttleUser : null;
    }

    /** Whether the initiator proved its identity with CHAP in this login. */
    boolean authenticated() {
        return exchange != null && exchange.authenticated();
    }

    /** The AuthMethod this login accepts: CHAP alone when required (so None is refused), else None. */
    String authMethods() {
        return exchange == null ? "None" : "CHAP";
    }

    /** Takes the CHAP keys out of {@code offered} (when CHAP is in use) and returns them. */
    Map<String, String> takeChapKeys(Map<String, String> offered) {
        Map<String, String> chap = new LinkedHashMap<>();
        if (exchange != null) {
            offered.entrySet().removeIf(e -> {
                if (ChapExchange.isChapKey(e.getKey())) {
                    chap.put(e.getKey(), e.getValue());
                    return true;
                }
                return false;
            });
        }
        return chap;
    }

    /**
     * Runs the CHAP keys of one request and decides whether the login may leave the stage.
     *
     * @return the transit bit to answer with: {@code transit} unless authentication is still under way
     * @throws LoginException 02/01 when the initiator fails (or skips) authentication
     */
    boolean step(int stage, boolean transit, Map<String, String> chapKeys, SessionParameters params,
                 Map<String, String> answer) throws LoginException {
        if (exchange == null) {
            return transit;
        }
        boolean chapAgreed = "CHAP".equals(params.get(LoginKey.AUTH_METHOD));
        if (!chapKeys.isEmpty()) {
            if (stage != LoginNegotiator.SECURITY || !chapAgreed) {
                throw new LoginException(LoginStatus.INITIATOR_ERROR, "CHAP keys outside a CHAP security stage");
            }
            throttleUser = exchange.configuredUser(chapKeys.get(ChapExchange.N));
            if (exchange.inProgress() && connection.security().throttle().blocked(connection.remoteHost(),
                    throttleTarget, throttleUser)) {
                // Refused unchecked, so a right guess from a blocked source cannot be told from a wrong one.
                blocked = true;
                throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE,
                        "blocked after repeated authentication failures from this address as this user "
                                + "(platter auth blocks)");
            }
            responseChecked = exchange.inProgress();
            answer.putAll(exchange.onKeys(chapKeys));
        }
        if (exchange.authenticated()) {
            return transit;
        }
        if (stage != LoginNegotiator.SECURITY) {
            throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE, "authentication required (CHAP)");
        }
        if (transit && !chapAgreed) {
            throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE, "leaving the security stage without CHAP");
        }
        return false; // RFC 7143 §6.3: the target holds the initiator in the stage until CHAP completes
    }
}
