package io.platter.iscsi.session;

/**
 * A pipeline user event the server fires on every connection when it stops, or on the
 * connections of one session an operator logs out ({@code platter session logout}): a full-feature
 * connection answers with an Asynchronous Message "logout requested" (RFC 7143 §11.9.1,
 * AsyncEvent 1, Parameter3 = seconds the initiator has to log out); a connection still logging
 * in, or a discovery session, is closed at once.
 *
 * @param seconds the time the initiator is given to log out (Parameter3)
 * @param why     what the log says asks for it ("stopping", "operator request")
 */
public record LogoutRequested(int seconds, String why) {
    public LogoutRequested {
        if (seconds < 0 || seconds > 0xffff) {
            throw new IllegalArgumentException("Parameter3 is 16 bits, got " + seconds);
        }
    }

    /** The request of a stopping server. */
    public LogoutRequested(int seconds) {
        this(seconds, "stopping");
    }
}
