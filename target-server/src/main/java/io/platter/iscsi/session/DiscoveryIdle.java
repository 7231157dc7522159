package io.platter.iscsi.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.platter.iscsi.pdu.LogoutRequest;
import io.platter.iscsi.pdu.TextRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a discovery session (RFC 7143 §4.3) that has asked nothing for a while: discovery is a
 * login, a SendTargets exchange and a logout, so a session that only keeps itself alive with
 * NOP-Outs holds a connection for nothing. Only Text and Logout requests count as activity.
 * Passes every PDU on.
 *
 * <p>Confined to the channel's event loop.
 */
final class DiscoveryIdle extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(DiscoveryIdle.class);

    private final long timeoutNanos;
    private ScheduledFuture<?> timer;

    DiscoveryIdle(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        arm(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarm();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof TextRequest || msg instanceof LogoutRequest) {
            arm(ctx);
        }
        ctx.fireChannelRead(msg);
    }

    private void arm(ChannelHandlerContext ctx) {
        disarm();
        timer = ctx.executor().schedule(() -> {
            LOG.info("closing idle discovery session from {}: no request for {} s", ctx.channel().remoteAddress(),
                    TimeUnit.NANOSECONDS.toSeconds(timeoutNanos));
            ctx.close();
        }, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
