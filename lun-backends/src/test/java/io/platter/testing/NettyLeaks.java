package io.platter.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * The Netty leak reports of this JVM, collected on demand: the one place every test asks whether
 * a buffer leaked ({@link NettyLeakExtension} after each Jupiter class, {@link NettyLeakHook}
 * after each jqwik container).
 *
 * <p>Netty reports a leak only when a later allocation finds the lost buffer in its detector's
 * reference queue, and only to its log. {@link #install()} runs the detectors at {@code paranoid}
 * and makes every detector also hand its reports here: detectors made from now on through a
 * recording factory, and the buffer detector that may already exist (it is made when the first
 * buffer class loads, possibly before any test hook ran) through its leak listener. So whichever
 * engine loads Netty first, no report is lost; {@link #collect()} then forces them out.
 */
public final class NettyLeaks {

    private static final List<String> REPORTS = new ArrayList<>();
    private static boolean installed;

    private NettyLeaks() {
    }

    /** Starts recording leak reports (idempotent); fails when Netty would not report leaks at all. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
        byteBufDetector().setLeakListener(NettyLeaks::record);
        if (!InternalLoggerFactory.getInstance(ResourceLeakDetector.class).isErrorEnabled()) {
            // ResourceLeakDetector.needReport() is its logger's error level: without it nothing is reported.
            throw new IllegalStateException("Netty's leak detector reports nothing: error logging of "
                    + ResourceLeakDetector.class.getName() + " is disabled");
        }
        installed = true;
    }

    /**
     * Collects garbage, makes the detectors poll their reference queues (an allocation does that at
     * {@code paranoid}) and returns the reports since the last call, clearing them.
     */
    public static List<String> collect() throws InterruptedException {
        install();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
            ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(1);
            a.release();
            ByteBuf b = PooledByteBufAllocator.DEFAULT.heapBuffer(1);
            b.release();
            ByteBuf c = UnpooledByteBufAllocator.DEFAULT.buffer(1);
            c.release();
        }
        return drain();
    }

    /** Discards the reports gathered so far without collecting (a new class starts clean). */
    public static List<String> drain() {
        synchronized (REPORTS) {
            List<String> copy = new ArrayList<>(REPORTS);
            REPORTS.clear();
            return copy;
        }
    }

    /** Fails with every report when anything leaked since the last collection; {@code where} names the culprit. */
    public static void assertNone(String where) throws InterruptedException {
        List<String> found = collect();
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " Netty buffer leak(s) in " + where + ":\n"
                    + String.join("\n----\n", found));
        }
    }

    private static void record(String resourceType, String records) {
        synchronized (REPORTS) {
            REPORTS.add("LEAK " + resourceType + (records.isEmpty() ? " (untraced)" : records));
        }
    }

    /** The detector of every {@link ByteBuf} (a static of {@code AbstractByteBuf}, made at class load). */
    private static ResourceLeakDetector<?> byteBufDetector() {
        try {
            Field f = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
            f.setAccessible(true);
            return (ResourceLeakDetector<?>) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach Netty's ByteBuf leak detector", e);
        }
    }

    /** Makes ordinary detectors that also report here. */
    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                   long maxActive) {
            ResourceLeakDetector<T> detector = new ResourceLeakDetector<>(resource, samplingInterval);
            detector.setLeakListener(NettyLeaks::record);
            return detector;
        }
    }
}
