package io.platter.testing;

import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import net.jqwik.api.lifecycle.AfterContainerHook;
import net.jqwik.api.lifecycle.BeforeContainerHook;
import net.jqwik.api.lifecycle.ContainerLifecycleContext;
import net.jqwik.api.lifecycle.PropagationMode;

/**
 * Fails a jqwik test class (container) when Netty's leak detector reports a leaked buffer during
 * it ({@link NettyLeaks}): the jqwik counterpart of {@link NettyLeakExtension}, so every property
 * that claims "nothing leaks" is checked, by construction rather than by each class remembering.
 *
 * <p>Registered globally through {@code META-INF/services/net.jqwik.api.lifecycle.LifecycleHook}
 * of this test-jar. It runs after the class's own {@code @AfterContainer} methods (lower proximity),
 * so a class that shuts down its executors there is checked once nothing holds buffers any more.
 */
public final class NettyLeakHook implements BeforeContainerHook, AfterContainerHook {

    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    /** Top-level test classes only (not the engine, not nested groups, not methods). */
    @Override
    public boolean appliesTo(Optional<AnnotatedElement> element) {
        return element.filter(e -> e instanceof Class<?> c && c.getEnclosingClass() == null).isPresent();
    }

    @Override
    public void beforeContainer(ContainerLifecycleContext context) {
        NettyLeaks.install();
        NettyLeaks.drain();
    }

    @Override
    public void afterContainer(ContainerLifecycleContext context) throws Throwable {
        NettyLeaks.assertNone(context.label());
    }

    @Override
    public int afterContainerProximity() {
        return -100;
    }
}
