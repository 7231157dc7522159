package io.platter.iscsi.session;

import io.netty.buffer.Unpooled;
import io.platter.iscsi.pdu.TaskManagementRequest;
import io.platter.iscsi.pdu.TaskManagementResponse;
import io.platter.scsi.LunAddress;
import io.platter.scsi.ResetScope;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Task management function requests (RFC 7143 §11.5-6, SAM-5 §7) for the tasks of this
 * connection. An aborted task never sends status afterwards.
 *
 * <p>Confined to the connection's event loop.
 */
final class TaskManagement {
    private static final Logger LOG = LoggerFactory.getLogger(TaskManagement.class);

    /** Function codes (RFC 7143 §11.5.1). */
    enum Function {
        ABORT_TASK(1), ABORT_TASK_SET(2), CLEAR_ACA(3), CLEAR_TASK_SET(4), LOGICAL_UNIT_RESET(5),
        TARGET_WARM_RESET(6), TARGET_COLD_RESET(7), TASK_REASSIGN(8);

        final int code;

        Function(int code) {
            this.code = code;
        }

        static Function of(int code) {
            for (Function f : values()) {
                if (f.code == code) {
                    return f;
                }
            }
            return null;
        }
    }

    private final Connection connection;
    private final Consumer<Predicate<CommandTask>> aborter;

    /** @param aborter aborts the connection's tasks that match a predicate */
    TaskManagement(Connection connection, Consumer<Predicate<CommandTask>> aborter) {
        this.connection = connection;
        this.aborter = aborter;
    }

    void onRequest(TaskManagementRequest request, Session session) {
        request.release();
        Function function = Function.of(request.function());
        int response;
        if (function == null) {
            response = TaskManagementResponse.FUNCTION_NOT_SUPPORTED;
        } else {
            response = switch (function) {
                case ABORT_TASK -> {
                    aborter.accept(t -> t.itt == request.referencedTaskTag() && t.lunField == request.lun());
                    // A task that already completed answers FUNCTION COMPLETE (ESXi relies on it).
                    yield TaskManagementResponse.FUNCTION_COMPLETE;
                }
                case ABORT_TASK_SET, CLEAR_TASK_SET -> {
                    aborter.accept(t -> t.lunField == request.lun());
                    yield TaskManagementResponse.FUNCTION_COMPLETE;
                }
                case LOGICAL_UNIT_RESET -> {
                    aborter.accept(t -> t.lunField == request.lun());
                    session.target().scsi().reset(session.nexus(), ResetScope.LOGICAL_UNIT,
                            LunAddress.decode(request.lun()));
                    yield TaskManagementResponse.FUNCTION_COMPLETE;
                }
                case TARGET_WARM_RESET, TARGET_COLD_RESET -> {
                    aborter.accept(t -> true);
                    session.target().scsi().reset(session.nexus(), ResetScope.TARGET, 0);
                    yield TaskManagementResponse.FUNCTION_COMPLETE;
                }
                case CLEAR_ACA -> TaskManagementResponse.FUNCTION_NOT_SUPPORTED;
                case TASK_REASSIGN -> TaskManagementResponse.REASSIGNMENT_NOT_SUPPORTED;
            };
        }
        LOG.info("task management {} on {} lun field {}: response {}", function, session,
                Long.toHexString(request.lun()), response);
        connection.metrics().taskManagement(function == null ? "unknown" : function.name().toLowerCase(java.util.Locale.ROOT),
                response);
        connection.write(new TaskManagementResponse(response, request.itt(), connection.nextStatSn(),
                connection.expCmdSn(), connection.maxCmdSn(), Unpooled.EMPTY_BUFFER));
        if (function == Function.TARGET_COLD_RESET) {
            connection.close();
        }
    }
}
