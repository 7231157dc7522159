package io.platter.iscsi.session;

import io.netty.buffer.Unpooled;
import io.platter.iscsi.pdu.TaskManagementRequest;
import io.platter.iscsi.pdu.TaskManagementResponse;
import io.platter.scsi.LunAddress;
import io.platter.scsi.ResetScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Task management function requests (RFC 7143 §11.5-6, SAM-5 §7). Each function has a scope
 * (SAM-5 §7.1): ABORT TASK and ABORT TASK SET act on this session's tasks (on any of its
 * connections); CLEAR TASK SET and LOGICAL UNIT RESET on the tasks of every session on the
 * logical unit; the target resets on every session of the target. Tasks of other sessions are
 * aborted on their own event loops, and the response waits for them and for every aborted task
 * still executing in the SCSI core ({@link AbortBarrier}), so no aborted task sends status or
 * touches the medium after the function completed.
 *
 * <p>Confined to the connection's event loop.
 */
final class TaskManagement {
    private static final Logger LOG = LoggerFactory.getLogger(TaskManagement.class);

    /** Which tasks a function reaches. */
    private enum Scope { SESSION, LOGICAL_UNIT, TARGET, NONE }

    /** Function codes (RFC 7143 §11.5.1) with their scope and the response when they apply. */
    enum Function {
        ABORT_TASK(1, Scope.SESSION, TaskManagementResponse.FUNCTION_COMPLETE),
        ABORT_TASK_SET(2, Scope.SESSION, TaskManagementResponse.FUNCTION_COMPLETE),
        CLEAR_ACA(3, Scope.NONE, TaskManagementResponse.FUNCTION_NOT_SUPPORTED),
        CLEAR_TASK_SET(4, Scope.LOGICAL_UNIT, TaskManagementResponse.FUNCTION_COMPLETE),
        LOGICAL_UNIT_RESET(5, Scope.LOGICAL_UNIT, TaskManagementResponse.FUNCTION_COMPLETE),
        TARGET_WARM_RESET(6, Scope.TARGET, TaskManagementResponse.FUNCTION_COMPLETE),
        TARGET_COLD_RESET(7, Scope.TARGET, TaskManagementResponse.FUNCTION_COMPLETE),
        // Reassigning a task to another connection is connection recovery: ERL 2 only (§7.2.2).
        TASK_REASSIGN(8, Scope.NONE, TaskManagementResponse.REASSIGNMENT_NOT_SUPPORTED);

        private static final Map<Integer, Function> BY_CODE = new java.util.HashMap<>();

        static {
            for (Function f : values()) {
                if (BY_CODE.put(f.code, f) != null) {
                    throw new ExceptionInInitializerError("duplicate function code " + f.code);
                }
            }
        }

        final int code;
        final Scope scope;
        final int response;

        Function(int code, Scope scope, int response) {
            this.code = code;
            this.scope = scope;
            this.response = response;
        }

        static Function of(int code) {
            return BY_CODE.get(code);
        }
    }

    private final Connection connection;

    TaskManagement(Connection connection) {
        this.connection = connection;
    }

    void onRequest(TaskManagementRequest request, Session session) {
        request.release();
        Function function = Function.of(request.function());
        if (function == null || function.scope == Scope.NONE) {
            respond(request, session, function, function == null ? TaskManagementResponse.FUNCTION_NOT_SUPPORTED
                    : function.response, 0);
            return;
        }
        Predicate<CommandTask> which = switch (function) {
            // A task that already completed is not found and still answers FUNCTION COMPLETE:
            // ESXi relies on it, and RFC 7143 §11.6.1 allows it.
            case ABORT_TASK -> t -> t.itt == request.referencedTaskTag() && t.lunField == request.lun();
            case ABORT_TASK_SET, CLEAR_TASK_SET, LOGICAL_UNIT_RESET -> t -> t.lunField == request.lun();
            default -> t -> true;
        };
        List<Session> reached = function.scope == Scope.SESSION || session.discovery() ? List.of(session)
                : connection.sessions().of(session.target());
        if (!reached.contains(session)) {
            reached = new ArrayList<>(reached);
            reached.add(session);
        }
        AtomicInteger aborted = new AtomicInteger();
        io.netty.channel.EventLoop own = connection.channel().eventLoop();
        // The response waits until every reached session has aborted its tasks and every aborted
        // task that was executing has completed (SAM-5 §5.6): ESXi reissues an aborted WRITE
        // right after the response, and the old one must not land after it.
        AbortBarrier barrier = new AbortBarrier(reached.size(), () -> {
            if (own.inEventLoop()) {
                done(request, session, function, aborted);
            } else {
                own.execute(() -> done(request, session, function, aborted));
            }
        });
        for (Session s : reached) {
            Runnable abort = () -> {
                for (Connection c : s.connections()) {
                    if (c.handler() != null) {
                        aborted.addAndGet(c.handler().abortTasks(which, barrier));
                    }
                }
                barrier.scanned();
            };
            if (s.loop().inEventLoop()) {
                abort.run();
            } else {
                s.loop().execute(abort);
            }
        }
    }

    private void done(TaskManagementRequest request, Session session, Function function, AtomicInteger aborted) {
        if (!session.discovery() && function == Function.LOGICAL_UNIT_RESET) {
            // The SCSI side of a reset: reservations released, unit attentions for every nexus (SAM-5 §7.8).
            session.target().scsi().reset(session.nexus(), ResetScope.LOGICAL_UNIT, LunAddress.decode(request.lun()));
        } else if (!session.discovery()
                && (function == Function.TARGET_WARM_RESET || function == Function.TARGET_COLD_RESET)) {
            session.target().scsi().reset(session.nexus(), ResetScope.TARGET, 0);
        }
        respond(request, session, function, function.response, aborted.get());
        connection.channel().flush();
        if (function == Function.TARGET_COLD_RESET) {
            // A cold reset drops every connection of the target (RFC 7143 §11.5.1).
            for (Session s : connection.sessions().of(session.target())) {
                s.close();
            }
            connection.close();
        }
    }

    private void respond(TaskManagementRequest request, Session session, Function function, int response,
                         int aborted) {
        LOG.info("task management {} on {} lun field {}: response {}, {} task(s) aborted", function, session,
                Long.toHexString(request.lun()), response, aborted);
        connection.metrics().taskManagement(function == null ? "unknown" : function.name().toLowerCase(Locale.ROOT),
                response);
        connection.write(new TaskManagementResponse(response, request.itt(), connection.nextStatSn(),
                connection.expCmdSn(), connection.maxCmdSn(), Unpooled.EMPTY_BUFFER));
    }
}
