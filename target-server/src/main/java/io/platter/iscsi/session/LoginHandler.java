package io.platter.iscsi.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.platter.iscsi.auth.LoginRefusal;
import io.platter.iscsi.login.LoginException;
import io.platter.iscsi.login.LoginKey;
import io.platter.iscsi.login.LoginNegotiator;
import io.platter.iscsi.login.LoginStatus;
import io.platter.iscsi.login.SessionParameters;
import io.platter.iscsi.login.TextParameters;
import io.platter.iscsi.pdu.LoginRequest;
import io.platter.iscsi.pdu.LoginResponse;
import io.platter.iscsi.pdu.Pdu;
import io.platter.iscsi.pdu.PduDecoder;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The login phase of one connection (RFC 7143 §6.3, §11.12-13): security and operational
 * stages, key negotiation, session creation. On success it replaces itself in the pipeline with
 * a {@link FullFeatureHandler}; on failure it answers with the login status and closes.
 *
 * <p>Confined to the channel's event loop.
 */
public final class LoginHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(LoginHandler.class);

    /** Keys only the first login request may set (RFC 7143 §6.3.1). */
    private static final List<LoginKey> FIRST_REQUEST_ONLY = List.of(LoginKey.INITIATOR_NAME, LoginKey.SESSION_TYPE,
            LoginKey.TARGET_NAME);

    private final Connection connection;
    private final SessionParameters parameters = new SessionParameters();
    private final SecurityStage security;
    private CompositeByteBuf pendingText;
    private boolean first = true;
    private long isid;
    private int tsih;
    private int itt;
    private int stage = -1;
    private ExportedTarget target;
    /** The session this connection joins (MC/S, TSIH != 0), or {@code null} for a new session. */
    private Session joining;
    private ScheduledFuture<?> timeout;
    private boolean done;

    public LoginHandler(Connection connection) {
        this.connection = connection;
        this.security = new SecurityStage(connection);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        long millis = connection.limits().loginTimeout().toMillis();
        timeout = ctx.executor().schedule(() -> {
            if (!done) {
                LOG.info("login from {} timed out after {} ms", connection.remoteAddress(), millis);
                ctx.close();
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        timeout.cancel(false);
        if (pendingText != null) {
            pendingText.release();
            pendingText = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Pdu pdu = (Pdu) msg;
        if (done) {
            pdu.release();
            return;
        }
        if (!(pdu instanceof LoginRequest request)) {
            // RFC 7143 §6.3: only Login Requests are allowed until the login completes.
            pdu.release();
            fail(ctx, LoginStatus.INVALID_DURING_LOGIN, "received " + pdu.opcode() + " during login");
            return;
        }
        try {
            handle(ctx, request);
        } catch (LoginException e) {
            fail(ctx, e.status(), e.getMessage());
        } finally {
            request.release();
        }
    }

    private void handle(ChannelHandlerContext ctx, LoginRequest request) throws LoginException {
        if (first) {
            // Recorded before any check so that even a failure response echoes ISID and ITT
            // (RFC 7143 §11.13: the response answers this request's Initiator Task Tag).
            isid = request.isid();
            tsih = request.tsih();
            itt = request.itt();
            connection.statSn(request.expStatSn());
            if (request.versionMin() > 0) {
                throw new LoginException(LoginStatus.UNSUPPORTED_VERSION, "version min " + request.versionMin());
            }
        } else if (request.isid() != isid || request.tsih() != tsih) {
            throw new LoginException(LoginStatus.INITIATOR_ERROR, "ISID or TSIH changed during login");
        }
        if (request.csg() != LoginNegotiator.SECURITY && request.csg() != LoginNegotiator.OPERATIONAL) {
            throw new LoginException(LoginStatus.INITIATOR_ERROR, "invalid CSG " + request.csg());
        }
        if (stage >= 0 && request.csg() != stage) {
            throw new LoginException(LoginStatus.INITIATOR_ERROR, "CSG " + request.csg() + " out of sequence");
        }
        stage = request.csg();
        itt = request.itt();
        // Text spanning several PDUs (C bit): gather it, answer each part empty (RFC 7143 §6.2).
        accumulate(request.data());
        if (request.cont()) {
            respond(LoginStatus.SUCCESS, false, 0, Map.of(), request);
            return;
        }
        Map<String, String> offered;
        try {
            offered = new LinkedHashMap<>(pendingText == null ? Map.of() : TextParameters.parse(pendingText));
        } catch (TextParameters.TextFormatException e) {
            throw new LoginException(LoginStatus.INITIATOR_ERROR, e.getMessage());
        } finally {
            if (pendingText != null) {
                pendingText.release();
                pendingText = null;
            }
        }
        if (first) {
            security.require(offered);
        } else {
            refuseRedeclaration(offered);
        }
        Map<String, String> chapKeys = security.takeChapKeys(offered);
        Map<String, String> answer = new LinkedHashMap<>(LoginNegotiator.negotiate(offered, stage, parameters,
                security.authMethods(), Map.of(LoginKey.MAX_CONNECTIONS,
                        Integer.toString(connection.limits().maxConnections()))));
        if (first) {
            admit(answer);
            first = false;
        }
        if (joining != null) {
            // Session-wide keys belong to the leading connection (RFC 7143 §13: "LO" keys).
            answer.replaceAll((k, v) -> {
                LoginKey key = LoginKey.byName(k);
                return key != null && key.scope() == LoginKey.Scope.SESSION && key.rule() != LoginKey.Rule.DECLARATIVE
                        ? "Irrelevant" : v;
            });
        }
        int nsg = request.nsg();
        boolean transit = security.step(stage, request.transit(), chapKeys, parameters, answer);
        if (transit) {
            boolean valid = (stage == LoginNegotiator.SECURITY
                    && (nsg == LoginNegotiator.OPERATIONAL || nsg == LoginNegotiator.FULL_FEATURE))
                    || (stage == LoginNegotiator.OPERATIONAL && nsg == LoginNegotiator.FULL_FEATURE);
            if (!valid) {
                throw new LoginException(LoginStatus.INITIATOR_ERROR, "invalid transition " + stage + "->" + nsg);
            }
        }
        if (transit && nsg == LoginNegotiator.FULL_FEATURE) {
            complete(ctx, request, answer);
            return;
        }
        respond(LoginStatus.SUCCESS, transit, transit ? nsg : 0, answer, request);
        if (transit) {
            stage = nsg;
        }
    }

    /**
     * Who logs in, to what and for which kind of session is declared once, in the first request
     * (RFC 7143 §6.3.1, §13.4, §13.21): the ACL and the CHAP requirement are decided on it, so a
     * later request may repeat a declaration but never change it.
     */
    private void refuseRedeclaration(Map<String, String> offered) throws LoginException {
        for (LoginKey key : FIRST_REQUEST_ONLY) {
            String value = offered.get(key.keyName());
            if (value == null) {
                continue;
            }
            String declared = parameters.get(key);
            boolean same = declared != null && (key == LoginKey.SESSION_TYPE ? declared.equals(value)
                    : declared.equalsIgnoreCase(value.strip()) && value.equals(value.strip()));
            if (!same) {
                throw new LoginException(LoginStatus.INITIATOR_ERROR, key.keyName() + " changed after the first "
                        + "login request");
            }
        }
    }

    /** Checks the first request's declarations: who logs in, to what (RFC 7143 §6.3.1). */
    private void admit(Map<String, String> answer) throws LoginException {
        if (parameters.initiatorName() == null || parameters.initiatorName().isEmpty()) {
            throw new LoginException(LoginStatus.MISSING_PARAMETER, "no InitiatorName");
        }
        if (tsih != 0) {
            // A connection joining an existing session (MC/S, RFC 7143 §6.3.1): same initiator,
            // ISID, session type and target.
            Session s = connection.sessions().find(tsih);
            if (s == null || s.isid() != isid || !s.initiatorName().equalsIgnoreCase(parameters.initiatorName())
                    || s.discovery() != parameters.discovery() || (!s.discovery()
                    && (!s.target().name().equalsIgnoreCase(String.valueOf(parameters.targetName()))
                    || s.target().portalGroupTag() != connection.portalGroupTag()))) {
                throw new LoginException(LoginStatus.SESSION_DOES_NOT_EXIST, "no session with TSIH " + tsih
                        + " for this initiator, ISID and target");
            }
            joining = s;
        }
        if (!parameters.discovery()) {
            if (parameters.targetName() == null) {
                throw new LoginException(LoginStatus.MISSING_PARAMETER, "no TargetName");
            }
            target = connection.targets().find(parameters.targetName());
            if (target == null) {
                throw new LoginException(LoginStatus.NOT_FOUND, "unknown target " + parameters.targetName());
            }
            target = target.inGroup(connection.portalGroupTag());
            if (!target.allows(parameters.initiatorName())) {
                // The same status as an unknown target (02/03, RFC 7143 §11.13.5), so that an
                // initiator outside the ACL cannot tell a hidden target from none; the log says which.
                throw new LoginException(LoginStatus.NOT_FOUND, "not in the ACL of " + target.name()
                        + " (answered as not found)");
            }
            if (target.alias() != null && joining == null) {
                answer.put(LoginKey.TARGET_ALIAS.keyName(), target.alias());
            }
        }
        // TargetPortalGroupTag goes in the first response (RFC 7143 §13.9).
        answer.put(LoginKey.TARGET_PORTAL_GROUP_TAG.keyName(),
                Integer.toString(connection.portalGroupTag()));
    }

    /**
     * The login succeeds: a new session (reinstating an old one with the same initiator name and
     * ISID, §6.3.5) or a connection joining one (MC/S, replacing a live connection with the same
     * CID: connection reinstatement, §6.3.4). Whatever is replaced is closed first and must be gone
     * before the new one is admitted: a reinstated session until its teardown has signalled the
     * loss of its I_T nexus (which has the same name as the new session's), a replaced connection
     * until its channel closed. A joining connection then moves onto the session's event loop
     * before it answers, so everything of one session runs on one loop. Until it enters full
     * feature phase a new session is registered (so limits count it) but has no connection; every
     * way out of this handover either enters or {@link #abandon abandons} it.
     */
    private void complete(ChannelHandlerContext ctx, LoginRequest request, Map<String, String> answer)
            throws LoginException {
        Session session;
        List<CompletableFuture<?>> replaced = new ArrayList<>();
        if (joining == null) {
            SessionRegistry.Registration reg = connection.sessions().create(isid, parameters.initiatorName(), target,
                    parameters, request.cmdSn(), connection.limits().commandWindow(), ctx.channel().eventLoop(),
                    connection.limits().sessionsPerTarget(), connection.limits().sessionsPerInitiator());
            session = reg.session();
            session.authenticated(security.authenticated());
            session.chapUser(security.authenticatedUser());
            for (Session old : reg.replaced()) {
                LOG.info("reinstating {}: closing the old session", old);
                replaced.add(old.ended());
                old.close();
            }
        } else {
            session = joining;
            Connection old = session.connection(request.cid());
            if (old != null) {
                LOG.info("reinstating connection {} of {}", request.cid(), session);
                old.loggedOut(true);
                CompletableFuture<Void> closed = new CompletableFuture<>();
                old.channel().close().addListener(f -> closed.complete(null));
                replaced.add(closed);
            } else if (session.connections().size() >= session.maxConnections()) {
                throw new LoginException(LoginStatus.TOO_MANY_CONNECTIONS, session + " has "
                        + session.connections().size() + " connection(s), MaxConnections "
                        + session.maxConnections());
            }
        }
        done = true;
        ctx.channel().config().setAutoRead(false);
        long millis = connection.limits().loginTimeout().toMillis();
        CompletableFuture.allOf(replaced.toArray(CompletableFuture[]::new))
                .orTimeout(millis, TimeUnit.MILLISECONDS)
                .whenComplete((v, e) -> {
                    if (e == null) {
                        join(ctx, session, request, answer);
                    } else {
                        // Never admit the new session beside a half-torn-down old one.
                        LOG.warn("login of {} from {} abandoned: what it replaces was not torn down within {} ms",
                                session, connection.remoteAddress(), millis);
                        session.loop().execute(() -> abandon(ctx, session));
                    }
                });
    }

    /** Moves the channel onto the session's loop (if it is not there yet), then enters full feature phase. */
    private void join(ChannelHandlerContext ctx, Session session, LoginRequest request, Map<String, String> answer) {
        Channel ch = ctx.channel();
        if (ch.eventLoop() == session.loop() || !ch.isActive()) {
            session.loop().execute(() -> enter(ctx, session, request, answer));
            return;
        }
        ch.deregister().addListener(d -> session.loop().register(ch).addListener(r -> {
            if (r.isSuccess()) {
                enter(ctx, session, request, answer);
            } else {
                LOG.warn("cannot move connection {} onto the loop of {}", connection.remoteAddress(), session,
                        r.cause());
                session.loop().execute(() -> abandon(ctx, session));
            }
        }));
    }

    /** On the session's loop: the final login response and the full feature phase. */
    private void enter(ChannelHandlerContext ctx, Session session, LoginRequest request, Map<String, String> answer) {
        if (!ctx.channel().isActive() || session.closing()) {
            LOG.info("login of {} to {} abandoned: the connection or the session closed", connection.remoteAddress(),
                    session);
            abandon(ctx, session);
            return;
        }
        tsih = session.tsih();
        session.attach(connection);
        // Respond before the new parameters apply: the response itself has no digests.
        respond(LoginStatus.SUCCESS, true, LoginNegotiator.FULL_FEATURE, answer, request, session);
        connection.loggedIn(session, request.cid(), joining == null ? session.parameters() : parameters);
        if (joining == null) {
            connection.metrics().loginSucceeded(session.discovery() ? IscsiMetrics.DISCOVERY
                    : session.target().name());
        }
        ctx.pipeline().replace(this, "session", new FullFeatureHandler(connection));
        ctx.pipeline().addBefore("session", "keepalive", new KeepAlive(connection));
        if (session.discovery()) {
            ctx.pipeline().addBefore("session", "discovery-idle",
                    new DiscoveryIdle(connection.limits().discoveryIdleTimeout()));
        }
        ctx.channel().config().setAutoRead(true);
        LOG.info("login: {} cid {} from {} ({} connection(s); auth {}, header digest {}, data digest {}, "
                        + "MaxRecvDataSegmentLength {}, MaxBurstLength {}, FirstBurstLength {}, InitialR2T {}, "
                        + "ImmediateData {})",
                session, request.cid(), connection.remoteAddress(), session.connections().size(),
                parameters.get(LoginKey.AUTH_METHOD), parameters.get(LoginKey.HEADER_DIGEST),
                parameters.get(LoginKey.DATA_DIGEST), parameters.maxXmitDataSegmentLength(),
                session.parameters().maxBurstLength(), session.parameters().firstBurstLength(),
                session.parameters().initialR2T(), session.parameters().immediateData());
    }

    /**
     * The handover failed (the connection closed, the session was reinstated or stopped meanwhile):
     * the connection closes, and a session this login created, which never got a connection, is
     * unregistered so it counts against no limit and shows in no list.
     */
    private void abandon(ChannelHandlerContext ctx, Session session) {
        if (joining == null) {
            session.abandoned(connection.sessions());
        }
        ctx.close();
    }

    /**
     * Gathers the text of a request continued over several PDUs (RFC 7143 §6.2, §11.12.2 C bit)
     * up to {@link ServerLimits#maxTextLength()} in all: no key of ours is longer than a few
     * hundred bytes, so more is an initiator error (02/00), not something to buffer.
     */
    private void accumulate(ByteBuf data) throws LoginException {
        if (!data.isReadable()) {
            return;
        }
        int held = pendingText == null ? 0 : pendingText.readableBytes();
        if (held + data.readableBytes() > connection.limits().maxTextLength()) {
            throw new LoginException(LoginStatus.INITIATOR_ERROR, "login text longer than "
                    + connection.limits().maxTextLength() + " bytes");
        }
        if (pendingText == null) {
            pendingText = data.alloc().compositeBuffer();
        }
        pendingText.addComponent(true, data.retain());
    }

    private void respond(LoginStatus status, boolean transit, int nsg, Map<String, String> keys,
                         LoginRequest request) {
        respond(status, transit, nsg, keys, request, null);
    }

    private void respond(LoginStatus status, boolean transit, int nsg, Map<String, String> keys,
                         LoginRequest request, Session session) {
        ByteBuf text = keys.isEmpty() ? Unpooled.EMPTY_BUFFER
                : TextParameters.encode(connection.channel().alloc(), keys);
        int expCmdSn = request == null ? 0 : request.cmdSn();
        int maxCmdSn = session != null ? session.window().maxCmdSn() : expCmdSn;
        connection.writeAndFlush(new LoginResponse(transit, false, stage < 0 ? 0 : stage, nsg, 0, 0, isid,
                status == LoginStatus.SUCCESS ? (session != null ? session.tsih() : 0) : 0, itt,
                connection.nextStatSn(), expCmdSn, maxCmdSn, status.statusClass(), status.detail(), text));
    }

    private void fail(ChannelHandlerContext ctx, LoginStatus status, String why) {
        String to = parameters.discovery() ? IscsiMetrics.DISCOVERY
                : target != null ? target.name() : parameters.targetName();
        LoginRefusal refusal;
        if (status == LoginStatus.AUTHENTICATION_FAILURE) {
            security.failed();
            refusal = security.refusal();
            // Never the secret nor the response: the reason says which check failed.
            LOG.warn("login failed: initiator {} from {} to {}: {} ({}: {})", parameters.initiatorName(),
                    connection.remoteHost(), to == null ? "-" : to, status, refusal.label(), why);
        } else {
            refusal = status != LoginStatus.NOT_FOUND ? LoginRefusal.OTHER
                    : target != null ? LoginRefusal.NOT_IN_ACL : LoginRefusal.UNKNOWN_TARGET;
            LOG.info("login failed: initiator {} from {} to {}: {} ({})", parameters.initiatorName(),
                    connection.remoteAddress(), to == null ? "-" : to, status, why);
        }
        done = true;
        connection.metrics().loginFailed(status);
        connection.metrics().loginRefused(to, refusal);
        respond(status, false, 0, Map.of(), null);
        connection.close();
    }

    /** The server is stopping: a connection that has not finished logging in is closed. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof LogoutRequested) {
            LOG.info("stopping: closing connection from {} during login", connection.remoteAddress());
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof PduDecoder.PduDecodingException e) {
            // During login a malformed PDU fails the login (RFC 7143 §6.3: Login Response with an
            // initiator error status), then the connection closes.
            if (!done) {
                fail(ctx, LoginStatus.INITIATOR_ERROR, "protocol error: " + e.protocolException().getMessage());
                return;
            }
        } else if (cause instanceof java.io.IOException) {
            LOG.info("connection {} failed during login: {}", connection.remoteAddress(), cause.toString());
        } else {
            io.platter.scsi.InternalErrors.record(LOG, "login on connection " + connection.remoteAddress(), cause);
        }
        done = true;
        connection.close();
    }
}
