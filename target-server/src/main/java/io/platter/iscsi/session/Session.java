package io.platter.iscsi.session;

import io.netty.channel.Channel;
import io.platter.iscsi.login.SessionParameters;
import io.platter.scsi.ItNexus;

/**
 * One iSCSI session (RFC 7143 §4.4): its identity (initiator name, ISID, TSIH), its target (or
 * none for discovery), negotiated parameters and the command window shared by its connections.
 * With one connection per session it is confined to that connection's event loop.
 */
public final class Session {
    private final int tsih;
    private final long isid;
    private final String initiatorName;
    private final ExportedTarget target;
    private final SessionParameters parameters;
    private final CommandWindow<Object> window;
    private final ItNexus nexus;
    private volatile Channel channel;

    Session(int tsih, long isid, String initiatorName, ExportedTarget target, SessionParameters parameters,
            int firstCmdSn, int windowDepth) {
        this.tsih = tsih;
        this.isid = isid;
        this.initiatorName = initiatorName;
        this.target = target;
        this.parameters = parameters;
        this.window = new CommandWindow<>(firstCmdSn, windowDepth);
        this.nexus = target == null ? null : new ItNexus(
                initiatorName + ",i,0x" + String.format("%012x", isid),
                target.name() + ",t,0x" + String.format("%04x", target.portalGroupTag()));
    }

    public int tsih() {
        return tsih;
    }

    public long isid() {
        return isid;
    }

    public String initiatorName() {
        return initiatorName;
    }

    /** The target, or {@code null} for a discovery session. */
    public ExportedTarget target() {
        return target;
    }

    public boolean discovery() {
        return target == null;
    }

    public SessionParameters parameters() {
        return parameters;
    }

    public CommandWindow<Object> window() {
        return window;
    }

    /** The I_T nexus of this session (normal sessions only). */
    public ItNexus nexus() {
        return nexus;
    }

    public Channel channel() {
        return channel;
    }

    void channel(Channel channel) {
        this.channel = channel;
    }

    @Override
    public String toString() {
        return "session tsih=" + tsih + " initiator=" + initiatorName + " isid=" + String.format("%012x", isid)
                + (target == null ? " discovery" : " target=" + target.name());
    }
}
