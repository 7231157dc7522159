package io.platter.iscsi.session;

import io.platter.iscsi.login.LoginStatus;
import io.platter.iscsi.pdu.RejectReason;

/**
 * What the transport reports to whoever measures it (the Prometheus exporter in the daemon, or
 * nothing). Every method has an empty default so that {@link #NONE} costs nothing. Implementations
 * are called from every event loop at once and must be thread-safe and lock-free.
 */
public interface IscsiMetrics {

    /** Measures nothing. */
    IscsiMetrics NONE = new IscsiMetrics() {
    };

    /** The label a discovery session is counted under instead of a target name. */
    String DISCOVERY = "discovery";

    /**
     * The per-LUN recorder for {@code lun} of {@code target}; a session keeps it for its later
     * commands to that LUN while it is {@link LunMetrics#current() current}.
     */
    default LunMetrics lun(String target, int lun) {
        return LunMetrics.NONE;
    }

    /** A TCP connection was accepted on a portal. */
    default void connectionAccepted() {
    }

    /** A login reached the full feature phase; {@code target} is {@link #DISCOVERY} for discovery. */
    default void loginSucceeded(String target) {
    }

    /** A login was refused with {@code status}. */
    default void loginFailed(LoginStatus status) {
    }

    /**
     * A login was refused; {@code target} is the target it named ({@link #DISCOVERY} for
     * discovery; a name that is not configured, or null, when the target is unknown).
     */
    default void loginRefused(String target, io.platter.iscsi.auth.LoginRefusal reason) {
    }

    /** A session in full feature phase ended (logout, error or close). */
    default void sessionClosed(String target) {
    }

    /** A PDU was rejected or broke the connection; data digest errors come here too. */
    default void protocolError(RejectReason reason, boolean fatal) {
    }

    /** A task management function request was answered with {@code response}. */
    default void taskManagement(String function, int response) {
    }

    /** The class of a SCSI command for per-LUN counters: by its data direction. */
    enum OpClass {
        READ("read"), WRITE("write"), OTHER("other");

        private final String label;

        OpClass(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** Per-LUN command accounting; called on event loops, must be lock-free. */
    interface LunMetrics {
        LunMetrics NONE = new LunMetrics() {
            @Override
            public void started() {
            }

            @Override
            public void completed(OpClass op, long bytes, long nanos) {
            }
        };

        /** A command was handed to the SCSI core. */
        void started();

        /** That command completed after {@code nanos}, moving {@code bytes} of data. */
        void completed(OpClass op, long bytes, long nanos);

        /**
         * Whether this recorder still measures its LUN; false once the LUN was unmapped (or when
         * it was not mapped when asked for), and the caller then asks {@link IscsiMetrics#lun} again.
         */
        default boolean current() {
            return true;
        }
    }
}
