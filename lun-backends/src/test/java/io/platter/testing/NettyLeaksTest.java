package io.platter.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** The leak collection can fail: a dropped buffer is reported, and a leaking jqwik container fails. */
class NettyLeaksTest {

    @Test
    void aBufferDroppedWithoutReleaseIsReported() throws Exception {
        String mark = "NettyLeaksTest-" + UUID.randomUUID();
        leak(mark);
        List<String> reports = NettyLeaks.collect();
        assertThat(reports).as("reports after dropping a buffer marked " + mark)
                .anySatisfy(r -> assertThat(r).contains(mark));
        assertThat(NettyLeaks.collect()).as("a report is handed out once").isEmpty();
    }

    @Test
    void aJqwikContainerThatLeaksFails() {
        List<String> failures = new ArrayList<>();
        LeakingJqwikContainer.armed = true;
        try {
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(LeakingJqwikContainer.class)).build();
            Launcher launcher = LauncherFactory.create();
            launcher.execute(request, new TestExecutionListener() {
                @Override
                public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                    if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                        failures.add(id.getDisplayName() + ": " + result.getThrowable().map(Throwable::getMessage)
                                .orElse(""));
                    }
                }
            });
        } finally {
            LeakingJqwikContainer.armed = false;
        }
        assertThat(failures).as("failed test identifiers").anySatisfy(f -> assertThat(f)
                .startsWith("LeakingJqwikContainer").contains("Netty buffer leak").contains("LeakingJqwikContainer"));
    }

    private static void leak(String mark) {
        PooledByteBufAllocator.DEFAULT.directBuffer(16).writeLong(42).touch(mark);
    }
}
