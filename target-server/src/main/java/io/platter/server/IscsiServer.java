package io.platter.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.platter.config.Portal;
import io.platter.config.PortalGroup;
import io.platter.config.ChapCredentials;
import io.platter.iscsi.auth.LoginSecurity;
import io.platter.iscsi.pdu.PduDecoder;
import io.platter.iscsi.pdu.PduEncoder;
import io.platter.iscsi.session.Connection;
import io.platter.iscsi.session.IscsiMetrics;
import io.platter.iscsi.session.LoginHandler;
import io.platter.iscsi.session.LogoutRequested;
import io.platter.iscsi.session.ServerLimits;
import io.platter.iscsi.session.SessionRegistry;
import io.platter.iscsi.session.SessionTaskAborter;
import io.platter.iscsi.session.TargetRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The iSCSI network front: event loops (native epoll when available, NIO otherwise), one
 * listening channel per portal, the caps on connections per source address and in all, and the
 * per-connection pipeline decoder / encoder / login.
 */
public final class IscsiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IscsiServer.class);
    private static final PduEncoder ENCODER = new PduEncoder();

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Class<? extends ServerChannel> channelType;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final List<Channel> listeners = new ArrayList<>();
    private final TargetRegistry targets;
    private final SessionRegistry sessions = new SessionRegistry();
    private final ServerLimits limits;
    private final ConnectionCaps caps;
    private volatile long lastRefusalLog = System.nanoTime() - TimeUnit.SECONDS.toNanos(2);
    /** Read by each new connection; replaced (never mutated) when discovery CHAP changes. */
    private volatile LoginSecurity security;
    private final IscsiMetrics metrics;

    public IscsiServer(TargetRegistry targets, ServerLimits limits, int eventLoops) {
        this(targets, limits, eventLoops, LoginSecurity.open(), IscsiMetrics.NONE);
    }

    public IscsiServer(TargetRegistry targets, ServerLimits limits, int eventLoops, LoginSecurity security) {
        this(targets, limits, eventLoops, security, IscsiMetrics.NONE);
    }

    public IscsiServer(TargetRegistry targets, ServerLimits limits, int eventLoops, IscsiMetrics metrics) {
        this(targets, limits, eventLoops, LoginSecurity.open(), metrics);
    }

    public IscsiServer(TargetRegistry targets, ServerLimits limits, int eventLoops, LoginSecurity security,
                       IscsiMetrics metrics) {
        this.security = security;
        this.targets = targets;
        // PREEMPT AND ABORT reaches the sessions of each target through this hook.
        targets.all().forEach(t -> t.scsi().taskAborter(new SessionTaskAborter(sessions, t.scsi())));
        this.limits = limits;
        this.caps = new ConnectionCaps(limits.connectionsPerAddress(), limits.connectionsTotal());
        this.metrics = metrics;
        IoHandlerFactory factory;
        if (Epoll.isAvailable()) {
            factory = EpollIoHandler.newFactory();
            channelType = EpollServerSocketChannel.class;
        } else {
            factory = NioIoHandler.newFactory();
            channelType = NioServerSocketChannel.class;
        }
        boss = new MultiThreadIoEventLoopGroup(1, Threads.named("platter-iscsi-boss", false), factory);
        workers = new MultiThreadIoEventLoopGroup(eventLoops, Threads.named("platter-iscsi", false), factory);
    }

    /** Binds every portal, all in portal group 1, or none: a failure closes what was bound and throws. */
    public List<InetSocketAddress> bind(List<Portal> portals) throws IOException {
        return bindGroups(List.of(new PortalGroup(PortalGroup.DEFAULT_TAG, portals)));
    }

    /**
     * Binds every portal of every group or none: a failure closes what was bound and throws. A
     * connection belongs to the group of the portal it arrived on (RFC 7143 §4.2.2).
     */
    public List<InetSocketAddress> bindGroups(List<PortalGroup> groups) throws IOException {
        List<InetSocketAddress> bound = new ArrayList<>();
        for (PortalGroup group : groups) {
            ServerBootstrap bootstrap = bootstrap(group.tag(), groups);
            for (Portal portal : group.portals()) {
                try {
                    Channel ch = bootstrap.bind(portal.host(), portal.port()).sync().channel();
                    listeners.add(ch);
                    bound.add((InetSocketAddress) ch.localAddress());
                } catch (Exception e) {
                    closeListeners();
                    throw new IOException("cannot listen on " + portal + ": " + e.getMessage(), e);
                }
            }
        }
        for (InetSocketAddress address : bound) {
            LOG.info("listening on {}", Portal.parse(formatAddress(address)));
        }
        return bound;
    }

    private ServerBootstrap bootstrap(int tag, List<PortalGroup> groups) {
        return new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        InetSocketAddress remote = ch.remoteAddress();
                        if (remote == null || remote.getAddress() == null) {
                            ch.close(); // gone before we saw it
                            return;
                        }
                        InetAddress source = remote.getAddress();
                        String refused = caps.admit(source);
                        if (refused != null) {
                            refusedConnection(source, refused);
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> caps.release(source));
                        channels.add(ch);
                        metrics.connectionAccepted();
                        PduDecoder decoder = new PduDecoder();
                        Connection connection = new Connection(ch, targets, sessions, limits, decoder, security,
                                metrics);
                        connection.arrivedVia(tag, groups);
                        ch.pipeline().addLast("decoder", decoder).addLast("encoder", ENCODER)
                                .addLast("login", new LoginHandler(connection));
                    }
                });
    }

    /** Logs a refused connection, at most once a second (a flood must not flood the log too). */
    private void refusedConnection(InetAddress source, String why) {
        long now = System.nanoTime();
        long last = lastRefusalLog;
        if (now - last >= TimeUnit.SECONDS.toNanos(1)) {
            lastRefusalLog = now;
            LOG.warn("refusing a connection from {}: {}", source.getHostAddress(), why);
        }
    }

    private static String formatAddress(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /**
     * Authenticates later discovery logins with {@code chap} (null for none); logins under way and
     * sessions logged in already are not affected.
     */
    public void discoveryChap(ChapCredentials chap) {
        security = security.withDiscoveryCredentials(chap);
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    public String transport() {
        return channelType.getSimpleName();
    }

    private void closeListeners() {
        for (Channel ch : listeners) {
            ch.close().awaitUninterruptibly();
        }
        listeners.clear();
    }

    /**
     * The first half of a graceful stop: stops accepting connections, asks every logged-in
     * initiator to log out (RFC 7143 §11.9.1) and waits up to {@code grace} for the connections
     * to go away, then closes those that remain. Commands still executing are not cut short
     * here: the I/O executor finishes them, their responses are simply not sent.
     */
    public void drain(Duration grace) {
        closeListeners();
        if (channels.isEmpty()) {
            return;
        }
        int seconds = (int) Math.max(1, Math.min(0xffff, grace.toSeconds()));
        LOG.info("asking {} connection(s) to log out within {} s", channels.size(), seconds);
        LogoutRequested request = new LogoutRequested(seconds);
        for (Channel ch : channels) {
            ch.pipeline().fireUserEventTriggered(request); // runs on the channel's own loop
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (!channels.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!channels.isEmpty()) {
            LOG.info("{} connection(s) did not log out in time; closing them", channels.size());
        }
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Stops accepting, closes every connection and then the event loops. */
    @Override
    public void close() {
        closeListeners();
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
