package io.platter.testing;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a Jupiter test class when Netty's leak detector reports a leaked buffer during it
 * ({@link NettyLeaks}).
 *
 * <p>Registered for every Jupiter test class through {@code ServiceLoader} autodetection (see
 * {@code junit-platform.properties} of each module). jqwik containers get the same check from
 * {@link NettyLeakHook}.
 */
public final class NettyLeakExtension implements BeforeAllCallback, AfterAllCallback {

    static {
        NettyLeaks.install();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        NettyLeaks.drain();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        NettyLeaks.assertNone(context.getDisplayName());
    }

    /** Same as {@link NettyLeaks#collect()}, for tests that check at a point of their own. */
    public static List<String> collect() throws InterruptedException {
        return NettyLeaks.collect();
    }
}
