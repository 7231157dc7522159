package io.platter.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's leak detector reports a leaked buffer.
 *
 * <p>Registered for every Jupiter test class through {@code ServiceLoader} autodetection
 * (see {@code junit-platform.properties} of each module). It installs a detector factory whose
 * detectors record reports instead of only logging them; after each class it collects garbage,
 * makes the detectors poll their reference queues, and throws if anything leaked. Reports from
 * non-Jupiter engines (jqwik) surface in the next Jupiter class of the same run.
 */
public final class NettyLeakExtension implements BeforeAllCallback, AfterAllCallback {

    private static final List<String> LEAKS = new ArrayList<>();

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        synchronized (LEAKS) {
            LEAKS.clear();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        List<String> found = collect();
        if (!found.isEmpty()) {
            throw new AssertionError("Netty buffer leak(s) detected in " + context.getDisplayName()
                    + ":\n" + String.join("\n----\n", found));
        }
    }

    /** Runs GC and touches the allocators so pending leak reports are delivered; returns them. */
    public static List<String> collect() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            System.runFinalization();
            Thread.sleep(20);
            // Allocation makes each detector drain its reference queue and report.
            ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(1);
            a.release();
            ByteBuf b = PooledByteBufAllocator.DEFAULT.heapBuffer(1);
            b.release();
            ByteBuf c = UnpooledByteBufAllocator.DEFAULT.buffer(1);
            c.release();
        }
        synchronized (LEAKS) {
            List<String> copy = new ArrayList<>(LEAKS);
            LEAKS.clear();
            return copy;
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
            return new ResourceLeakDetector<>(resource, samplingInterval) {
                @Override
                protected void reportTracedLeak(String resourceType, String records) {
                    record("LEAK " + resourceType + records);
                    super.reportTracedLeak(resourceType, records);
                }

                @Override
                protected void reportUntracedLeak(String resourceType) {
                    record("LEAK " + resourceType + " (untraced)");
                    super.reportUntracedLeak(resourceType);
                }
            };
        }
    }

    private static void record(String report) {
        synchronized (LEAKS) {
            LEAKS.add(report);
        }
    }
}
