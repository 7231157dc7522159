package io.platter.testing;

import io.netty.buffer.PooledByteBufAllocator;
import net.jqwik.api.Example;

/**
 * A jqwik container that leaks one buffer, but only while {@link #armed} (set by
 * {@link NettyLeaksTest}, which runs it through the Launcher); its name keeps Surefire from
 * selecting it, and unarmed it leaks nothing anyway.
 */
public class LeakingJqwikContainer {

    /** Whether the example leaks. */
    static volatile boolean armed;

    @Example
    void dropsABufferWithoutReleasingIt() {
        if (armed) {
            PooledByteBufAllocator.DEFAULT.directBuffer(64).writeInt(0x1eaced).touch("LeakingJqwikContainer");
        }
    }
}
