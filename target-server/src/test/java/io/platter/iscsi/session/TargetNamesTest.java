package io.platter.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import io.platter.scsi.ScsiTarget;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Target and initiator names are looked up in their normalized form (RFC 7143 §4.2.7.2, RFC 3722):
 * any case, and a composed or decomposed accent, name the same node.
 */
class TargetNamesTest {
    private static final String CAFE = "iqn.2026-11.io.platter:caf\u00e9";
    private static final String CAFE_DECOMPOSED_UPPER = "IQN.2026-11.IO.PLATTER:CAFE\u0301";

    private static ExportedTarget target(String name, List<String> acl) {
        return new ExportedTarget(name, null, 1, new ScsiTarget(name, PooledByteBufAllocator.DEFAULT), null, acl);
    }

    @Test
    void theRegistryFindsATargetByAnySpellingOfItsName() {
        TargetRegistry registry = new TargetRegistry(List.of(target(CAFE, List.of())));
        assertThat(registry.find("IQN.2026-11.IO.PLATTER:CAF\u00c9")).isNotNull();
        assertThat(registry.find(CAFE_DECOMPOSED_UPPER)).as("decomposed accent").isNotNull();
        assertThat(registry.find("iqn.2026-11.io.platter:cafe")).isNull();
        assertThat(registry.remove(CAFE_DECOMPOSED_UPPER)).isNotNull();
        assertThat(registry.all()).isEmpty();
    }

    @Test
    void theAclAdmitsAnInitiatorByAnySpellingOfItsName() {
        ExportedTarget t = target("iqn.2026-11.io.platter:t", List.of("iqn.2026-11.io.platter:host-\u00e9"));
        assertThat(t.allows("IQN.2026-11.io.platter:HOST-\u00c9")).isTrue();
        assertThat(t.allows("iqn.2026-11.io.platter:host-e\u0301")).as("decomposed accent").isTrue();
        assertThat(t.allows("iqn.2026-11.io.platter:host-e")).isFalse();
    }
}
