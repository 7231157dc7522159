package io.platter.iscsi.login;

/** A login that must fail with {@link #status()}; the message is for the log, never a secret. */
public final class LoginException extends Exception {
    private final LoginStatus status;

    public LoginException(LoginStatus status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public LoginStatus status() {
        return status;
    }
}
