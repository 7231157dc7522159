package io.platter.iscsi.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.platter.iscsi.login.LoginException;
import io.platter.iscsi.login.LoginKey;
import io.platter.iscsi.login.LoginNegotiator;
import io.platter.iscsi.login.TextParameters;
import io.platter.iscsi.pdu.Bhs;
import io.platter.iscsi.pdu.ProtocolException;
import io.platter.iscsi.pdu.RejectReason;
import io.platter.iscsi.pdu.TextRequest;
import io.platter.iscsi.pdu.TextResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Text requests in the full feature phase (RFC 7143 §6.2, §11.10-11): SendTargets discovery
 * (§13.3, Appendix C) and MaxRecvDataSegmentLength renegotiation, with request continuation
 * (C bit, at most {@link ServerLimits#maxTextLength()} in all) and long responses split across
 * PDUs under a target transfer tag. SendTargets lists only the targets the session's initiator
 * may log in to: its ACL admits the initiator, and a CHAP-protected target only to a session that
 * authenticated (discovery CHAP).
 *
 * <p>Confined to the connection's event loop.
 */
final class TextExchange {
    private static final int CONTINUATION_TTT = 0x7fff0001;

    private final Connection connection;
    private CompositeByteBuf request;
    private ByteBuf pendingResponse;

    TextExchange(Connection connection) {
        this.connection = connection;
    }

    void onRequest(TextRequest pdu, Session session) {
        try {
            if (pdu.ttt() != Bhs.RESERVED_TAG && pendingResponse != null && !pdu.data().isReadable()) {
                sendChunk(pdu);
                return;
            }
            releaseResponse();
            if (pdu.data().isReadable()) {
                if (request == null) {
                    request = connection.channel().alloc().compositeBuffer();
                }
                if (request.readableBytes() + pdu.data().readableBytes() > connection.limits().maxTextLength()) {
                    // A text request continued (C bit) past the bound (RFC 7143 §6.2: our keys need
                    // a few hundred bytes): rejected, and the connection closed rather than left to
                    // guess where the initiator's next request begins.
                    release();
                    connection.reject(ProtocolException.rejectingAndClosing(RejectReason.PROTOCOL_ERROR,
                            "text request beyond " + connection.limits().maxTextLength() + " bytes", pdu));
                    connection.close();
                    return;
                }
                request.addComponent(true, pdu.data().retain());
            }
            if (pdu.cont()) {
                respond(pdu, Unpooled.EMPTY_BUFFER, false, CONTINUATION_TTT);
                return;
            }
            Map<String, String> offered;
            try {
                offered = request == null ? Map.of() : TextParameters.parse(request);
            } catch (TextParameters.TextFormatException e) {
                release();
                connection.reject(ProtocolException.rejecting(RejectReason.PROTOCOL_ERROR, e.getMessage(), pdu));
                return;
            }
            release();
            pendingResponse = TextParameters.encode(connection.channel().alloc(), answer(offered, session));
            sendChunk(pdu);
        } finally {
            pdu.release();
        }
    }

    private List<Map.Entry<String, String>> answer(Map<String, String> offered, Session session) {
        List<Map.Entry<String, String>> answer = new ArrayList<>();
        for (Map.Entry<String, String> e : offered.entrySet()) {
            String key = e.getKey();
            if (key.equals(LoginKey.SEND_TARGETS.keyName())) {
                // Repeated TargetName/TargetAddress pairs, one group per target (RFC 7143 Appendix C).
                sendTargets(e.getValue(), session, answer);
            } else if (key.equals(LoginKey.MAX_RECV_DATA_SEGMENT_LENGTH.keyName())) {
                // Declarative (RFC 7143 §13.12): record the initiator's new limit, answer with ours.
                answer.addAll(renegotiate(key, e.getValue()).entrySet());
            } else {
                answer.add(Map.entry(key, LoginKey.byName(key) == null ? "NotUnderstood" : "Irrelevant"));
            }
        }
        return answer;
    }

    private Map<String, String> renegotiate(String key, String value) {
        try {
            return LoginNegotiator.negotiate(Map.of(key, value), LoginNegotiator.FULL_FEATURE,
                    connection.parameters());
        } catch (LoginException e) {
            return Map.of(key, "Reject"); // not thrown for this key
        }
    }

    private void sendTargets(String value, Session session, List<Map.Entry<String, String>> out) {
        for (ExportedTarget target : connection.targets().all()) {
            if (!target.allows(session.initiatorName())) {
                continue; // an initiator outside a target's ACL does not learn that it exists
            }
            if (target.chap() != null && !session.authenticated()) {
                // A CHAP-protected target is named only to a session that authenticated itself
                // (discovery CHAP, or CHAP at its own login): the ACL alone trusts a name any
                // client can claim, and an unauthenticated client learns nothing to guess against.
                continue;
            }
            boolean wanted = value.equals("All")
                    || (value.isEmpty() ? session.target() != null && session.target().name().equals(target.name()) : target.name().equalsIgnoreCase(value));
            if (wanted) {
                out.add(Map.entry("TargetName", target.name()));
                for (String address : connection.targetAddresses()) {
                    out.add(Map.entry("TargetAddress", address));
                }
            }
        }
    }

    private void sendChunk(TextRequest pdu) {
        int max = connection.parameters().maxXmitDataSegmentLength();
        ByteBuf rest = pendingResponse;
        int n = Math.min(max, rest.readableBytes());
        ByteBuf chunk = rest.readRetainedSlice(n);
        boolean last = !rest.isReadable();
        if (last) {
            releaseResponse();
        }
        respond(pdu, chunk, last, last ? Bhs.RESERVED_TAG : CONTINUATION_TTT);
    }

    private void respond(TextRequest pdu, ByteBuf data, boolean finalBit, int ttt) {
        connection.write(new TextResponse(finalBit, !finalBit && data.isReadable(), pdu.lun(), pdu.itt(), ttt,
                connection.nextStatSn(), connection.expCmdSn(), connection.maxCmdSn(), data));
    }

    private void releaseResponse() {
        if (pendingResponse != null) {
            pendingResponse.release();
            pendingResponse = null;
        }
    }

    void release() {
        if (request != null) {
            request.release();
            request = null;
        }
    }

    /** Connection teardown. */
    void close() {
        release();
        releaseResponse();
    }
}
