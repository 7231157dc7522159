package io.platter.server.metrics;

import io.platter.iscsi.login.LoginStatus;
import io.platter.iscsi.pdu.RejectReason;
import io.platter.iscsi.session.IscsiMetrics;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.platter.scsi.InternalErrors;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.platter.iscsi.auth.LoginRefusal;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The transport's {@link IscsiMetrics} as Prometheus metrics in one registry. Labelled data
 * points on the command path are resolved once per LUN ({@link #lun}), so a command costs a few
 * lock-free increments and one histogram observation. Names and labels are documented in
 * docs/metrics.md; keep the two in step.
 *
 * <p>Cardinality is bounded by what exists: per-LUN series ({@code target}, {@code lun},
 * {@code volume}) are created when the daemon maps a LUN ({@link #lunMapped}, at 0) and removed
 * when it unmaps it ({@link #lunUnmapped}); a command addressed to a LUN that is not mapped is
 * counted in no per-LUN series, so an initiator cannot create series by naming LUNs. Error
 * counters with a closed label set (PDU errors by reject reason, data digest errors) are present
 * at 0 from the start, so {@code rate()} and alerts see them before the first error.
 */
public final class PrometheusMetrics implements IscsiMetrics {

    private final PrometheusRegistry registry;
    private final Counter commands;
    private final Counter bytes;
    private final Histogram latency;
    private final Gauge inFlight;
    private final Gauge sessions;
    private final Gauge connections;
    private final Counter accepted;
    private final Counter logins;
    private final Counter loginFailures;
    private final Counter pduErrors;
    private final Counter digestErrors;
    private final Counter taskManagement;
    /** Refused logins by known target (or "discovery", "other") and reason; the callback fills in zeros. */
    private final Map<String, LongAdder[]> refusals = new ConcurrentHashMap<>();
    private volatile Supplier<Collection<String>> knownTargets = List::of;
    /** The mapped LUNs' recorders; written by the daemon under its lock, read on every event loop. */
    private final ConcurrentMap<LunKey, Lun> luns = new ConcurrentHashMap<>();

    public PrometheusMetrics() {
        this(new PrometheusRegistry());
    }

    public PrometheusMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        commands = Counter.builder().name("platter_scsi_commands_total")
                .help("SCSI commands completed, by LUN and class (read, write, other)")
                .labelNames("target", "lun", "volume", "op").register(registry);
        bytes = Counter.builder().name("platter_scsi_bytes_total")
                .help("Data bytes moved by completed SCSI commands (Data-In for reads, Data-Out for writes)")
                .labelNames("target", "lun", "volume", "op").unit(Unit.BYTES).register(registry);
        latency = Histogram.builder().name("platter_scsi_command_duration_seconds")
                .help("Time from handing a command to the SCSI core to its completion")
                .labelNames("target", "lun", "volume", "op").unit(Unit.SECONDS).classicOnly()
                .classicExponentialUpperBounds(0.000_05, 2, 18).register(registry);
        inFlight = Gauge.builder().name("platter_scsi_commands_in_flight")
                .help("SCSI commands handed to the SCSI core and not yet completed (queue depth)")
                .labelNames("target", "lun", "volume").register(registry);
        sessions = Gauge.builder().name("platter_iscsi_sessions")
                .help("iSCSI sessions in full feature phase, by target (discovery sessions under \"discovery\")")
                .labelNames("target").register(registry);
        connections = Gauge.builder().name("platter_iscsi_connections")
                .help("iSCSI connections in full feature phase, by target")
                .labelNames("target").register(registry);
        accepted = Counter.builder().name("platter_iscsi_connections_accepted_total")
                .help("TCP connections accepted on the portals").register(registry);
        logins = Counter.builder().name("platter_iscsi_logins_total")
                .help("Successful logins, by target").labelNames("target").register(registry);
        loginFailures = Counter.builder().name("platter_iscsi_login_failures_total")
                .help("Refused logins, by login status (RFC 7143 §11.13.5)").labelNames("reason").register(registry);
        pduErrors = Counter.builder().name("platter_iscsi_pdu_errors_total")
                .help("PDUs rejected or connections closed for a protocol error, by reject reason (RFC 7143 §11.17.1)")
                .labelNames("reason", "fatal").register(registry);
        digestErrors = Counter.builder().name("platter_iscsi_digest_errors_total")
                .help("PDUs whose CRC32C data digest did not match").labelNames("kind").register(registry);
        taskManagement = Counter.builder().name("platter_iscsi_task_management_total")
                .help("Task management function requests, by function and response code")
                .labelNames("function", "response").register(registry);
        CounterWithCallback.builder().name("platter_login_failures_total")
                .help("Refused logins by target (configured targets, \"discovery\", \"other\" for unknown names) "
                        + "and reason (wrong_secret, blocked, no_authentication, not_in_acl, unknown_target, other)")
                .labelNames("target", "reason")
                .callback(this::reportRefusals).register(registry);
        CounterWithCallback.builder().name("platter_internal_errors_total")
                .help("Bugs caught by a catch-all and answered politely (Reject, close, INTERNAL TARGET FAILURE); "
                        + "should stay 0")
                .callback(cb -> cb.call(InternalErrors.count())).register(registry);
        CounterWithCallback.builder().name("platter_persisted_state_damaged_total")
                .help("Damaged <image>.pr / .mode files a LUN started without (logged at ERROR with the path)")
                .callback(cb -> cb.call(io.platter.scsi.PersistedStateErrors.count())).register(registry);
        for (RejectReason reason : RejectReason.values()) {
            for (boolean fatal : new boolean[] {false, true}) {
                pduErrors.labelValues(reason.name().toLowerCase(Locale.ROOT), Boolean.toString(fatal));
            }
        }
        digestErrors.labelValues("data");
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /**
     * The daemon mapped LUN {@code lun} of {@code target}, serving {@code volume} (the volume's
     * name, or the image's file name for a LUN declared with an image only): its series appear, at 0.
     * A mapping that replaces an earlier one of the same target and LUN starts new series.
     */
    public void lunMapped(String target, int lun, String volume) {
        Lun fresh = new Lun(target, Integer.toString(lun), volume);
        Lun old = luns.put(new LunKey(target, lun), fresh);
        if (old != null && !old.volume.equals(volume)) {
            old.remove();
        }
    }

    /** The daemon unmapped LUN {@code lun} of {@code target}: its series go away. */
    public void lunUnmapped(String target, int lun) {
        Lun old = luns.remove(new LunKey(target, lun));
        if (old != null) {
            old.remove();
        }
    }

    /**
     * The recorder of a mapped LUN, or one that records nothing and is not {@link LunMetrics#current()
     * current} when the LUN is not mapped (the caller asks again at its next command).
     */
    @Override
    public LunMetrics lun(String target, int lun) {
        Lun found = luns.get(new LunKey(target, lun));
        return found != null ? found : UNMAPPED;
    }

    @Override
    public void connectionAccepted() {
        accepted.inc();
    }

    @Override
    public void loginSucceeded(String target) {
        logins.labelValues(target).inc();
        sessions.labelValues(target).inc();
        connections.labelValues(target).inc();
    }

    @Override
    public void loginFailed(LoginStatus status) {
        loginFailures.labelValues(status.name().toLowerCase(Locale.ROOT)).inc();
    }

    /**
     * The targets login failures are labelled with; every other name counts as {@link #OTHER_TARGET}.
     * Each known target (and discovery, and other) reports every reason, 0 until it happens.
     */
    public void knownTargets(Supplier<Collection<String>> targets) {
        this.knownTargets = targets;
    }

    /** The target label of login failures for names that are not configured. */
    static final String OTHER_TARGET = "other";

    @Override
    public void loginRefused(String target, LoginRefusal reason) {
        String label = OTHER_TARGET;
        if (DISCOVERY.equals(target)) {
            label = DISCOVERY;
        } else if (target != null) {
            for (String known : knownTargets.get()) {
                if (known.equalsIgnoreCase(target)) {
                    label = known;
                    break;
                }
            }
        }
        refusals.computeIfAbsent(label, k -> newAdders())[reason.ordinal()].increment();
    }

    private static LongAdder[] newAdders() {
        LongAdder[] a = new LongAdder[LoginRefusal.values().length];
        for (int i = 0; i < a.length; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    private void reportRefusals(CounterWithCallback.Callback cb) {
        Set<String> labels = new LinkedHashSet<>(knownTargets.get());
        labels.add(DISCOVERY);
        labels.add(OTHER_TARGET);
        refusals.keySet().retainAll(labels);  // a removed target's series go with it
        for (String target : labels) {
            LongAdder[] counts = refusals.get(target);
            for (LoginRefusal r : LoginRefusal.values()) {
                cb.call(counts == null ? 0 : counts[r.ordinal()].sum(), target, r.label());
            }
        }
    }

    @Override
    public void sessionClosed(String target) {
        sessions.labelValues(target).dec();
        connections.labelValues(target).dec();
    }

    @Override
    public void protocolError(RejectReason reason, boolean fatal) {
        pduErrors.labelValues(reason.name().toLowerCase(Locale.ROOT), Boolean.toString(fatal)).inc();
        if (reason == RejectReason.DATA_DIGEST_ERROR) {
            digestErrors.labelValues("data").inc();
        }
    }

    @Override
    public void taskManagement(String function, int response) {
        taskManagement.labelValues(function, Integer.toString(response)).inc();
    }

    /** A LUN's key: the target's name as the daemon exports it and the LUN number. */
    private record LunKey(String target, int lun) {
    }

    /** What a command to a LUN that is not mapped records: nothing, and it is never current. */
    private static final LunMetrics UNMAPPED = new LunMetrics() {
        @Override
        public void started() {
        }

        @Override
        public void completed(OpClass op, long bytes, long nanos) {
        }

        @Override
        public boolean current() {
            return false;
        }
    };

    /** The data points of one mapped LUN, resolved once. */
    private final class Lun implements LunMetrics {
        private final Map<OpClass, CounterDataPoint> commandsByOp = new EnumMap<>(OpClass.class);
        private final Map<OpClass, CounterDataPoint> bytesByOp = new EnumMap<>(OpClass.class);
        private final Map<OpClass, DistributionDataPoint> latencyByOp = new EnumMap<>(OpClass.class);
        private final GaugeDataPoint queue;
        private final String target;
        private final String lun;
        private final String volume;
        /** Set once its series are removed; sessions that cached this recorder then ask again. */
        private volatile boolean removed;

        Lun(String target, String lun, String volume) {
            this.target = target;
            this.lun = lun;
            this.volume = volume;
            for (OpClass op : OpClass.values()) {
                commandsByOp.put(op, commands.labelValues(target, lun, volume, op.label()));
                bytesByOp.put(op, bytes.labelValues(target, lun, volume, op.label()));
                latencyByOp.put(op, latency.labelValues(target, lun, volume, op.label()));
            }
            queue = inFlight.labelValues(target, lun, volume);
        }

        void remove() {
            removed = true;
            for (OpClass op : OpClass.values()) {
                commands.remove(target, lun, volume, op.label());
                bytes.remove(target, lun, volume, op.label());
                latency.remove(target, lun, volume, op.label());
            }
            inFlight.remove(target, lun, volume);
        }

        @Override
        public boolean current() {
            return !removed;
        }

        @Override
        public void started() {
            queue.inc();
        }

        @Override
        public void completed(OpClass op, long count, long nanos) {
            queue.dec();
            commandsByOp.get(op).inc();
            if (count > 0) {
                bytesByOp.get(op).inc(count);
            }
            latencyByOp.get(op).observe(nanos / 1e9);
        }
    }
}
