package io.platter.iscsi.session;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.platter.iscsi.pdu.Bhs;
import io.platter.iscsi.pdu.NopIn;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Target-initiated NOP-In keep-alives (RFC 7143 §11.19, §7.1.4.1 "NOP-In ping"): after
 * {@link ServerLimits#nopInInterval()} without a PDU from the initiator it sends a NOP-In with
 * ITT 0xffffffff and a fresh TTT, which the initiator must echo in a NOP-Out; after
 * {@link ServerLimits#nopInTimeout()} without any PDU the connection is taken as dead and closed.
 * Sits in front of the full feature handler and passes every PDU on.
 *
 * <p>Confined to the channel's event loop.
 */
final class KeepAlive extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(KeepAlive.class);

    private final Connection connection;
    private final long intervalNanos;
    private final long timeoutNanos;
    private long lastHeard;
    private long lastPing;
    private ScheduledFuture<?> tick;

    KeepAlive(Connection connection) {
        this.connection = connection;
        this.intervalNanos = connection.limits().nopInInterval().toNanos();
        this.timeoutNanos = connection.limits().nopInTimeout().toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        lastHeard = now(ctx);
        lastPing = lastHeard;
        // Checking at a quarter of the interval keeps the error of both timers small without a
        // timer per PDU.
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), intervalNanos / 4);
        tick = ctx.executor().scheduleAtFixedRate(() -> check(ctx), period, period, TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        tick.cancel(false);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        tick.cancel(false);
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastHeard = now(ctx);
        ctx.fireChannelRead(msg);
    }

    private void check(ChannelHandlerContext ctx) {
        long now = now(ctx);
        if (!ctx.channel().isActive()) {
            tick.cancel(false);
            return;
        }
        if (now - lastHeard >= timeoutNanos) {
            LOG.info("no PDU from {} ({}) for {} ms: closing the connection", connection.remoteAddress(),
                    connection.session(), TimeUnit.NANOSECONDS.toMillis(now - lastHeard));
            tick.cancel(false);
            ctx.close();
            return;
        }
        if (now - lastHeard >= intervalNanos && now - lastPing >= intervalNanos) {
            lastPing = now;
            // A ping does not advance StatSN (RFC 7143 §11.19.2): it carries the next one.
            connection.writeAndFlush(new NopIn(0, Bhs.RESERVED_TAG, connection.nextTtt(),
                    connection.currentStatSn(), connection.expCmdSn(), connection.maxCmdSn(), Unpooled.EMPTY_BUFFER));
        }
    }

    private static long now(ChannelHandlerContext ctx) {
        return ctx.executor().ticker().nanoTime();
    }
}
