package io.platter.server.manage;

/**
 * A management request that cannot be carried out, with the HTTP status it is answered with and
 * a one-line message for the operator that says what to do.
 */
public final class ManagementException extends RuntimeException {

    /** Why a request failed, as an HTTP status. */
    public enum Kind {
        BAD_REQUEST(400), UNAUTHORIZED(401), NOT_FOUND(404), CONFLICT(409), FAILED(500);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final Kind kind;

    public ManagementException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    static ManagementException badRequest(String message) {
        return new ManagementException(Kind.BAD_REQUEST, message);
    }

    static ManagementException notFound(String message) {
        return new ManagementException(Kind.NOT_FOUND, message);
    }

    static ManagementException conflict(String message) {
        return new ManagementException(Kind.CONFLICT, message);
    }

    static ManagementException failed(String message) {
        return new ManagementException(Kind.FAILED, message);
    }
}
