package io.platter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code server.portals} (TPGT 1) and {@code server.portal-groups} (RFC 7143 §4.2.2). */
class PortalGroupConfigTest {

    @TempDir
    Path dir;

    private PlatterConfig load(String server) throws Exception {
        return ConfigLoader.load(Files.writeString(dir.resolve("platter.yaml"),
                "version: 1\nserver:\n" + server + "  data-dir: d\n"));
    }

    private List<String> problems(String server) throws Exception {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(server));
        assertThat(e).as("expected the file to be rejected").isNotNull();
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void portalsAloneAreGroupOne() throws Exception {
        PlatterConfig config = load("  portals: [127.0.0.1:3300]\n");
        assertThat(config.server().portalGroups())
                .containsExactly(new PortalGroup(1, List.of(new Portal("127.0.0.1", 3300))));
    }

    @Test
    void groupsWithIpv4AndIpv6PortalsMergeWithPortals() throws Exception {
        PlatterConfig config = load("""
                  portals: [127.0.0.1:3300]
                  portal-groups:
                    - tag: 2
                      portals: [127.0.0.1:3301, "[::1]:3301"]
                    - tag: 1
                      portals: ["[::1]:3300"]
                """);
        assertThat(config.server().portalGroups()).containsExactly(
                new PortalGroup(1, List.of(new Portal("127.0.0.1", 3300), new Portal("::1", 3300))),
                new PortalGroup(2, List.of(new Portal("127.0.0.1", 3301), new Portal("::1", 3301))));
        assertThat(config.server().portals()).hasSize(4);
    }

    @Test
    void aPortalInTwoGroupsADuplicateTagAndABadTagAreReported() throws Exception {
        assertThat(problems("""
                  portal-groups:
                    - tag: 2
                      portals: [127.0.0.1:3301]
                    - tag: 2
                      portals: [127.0.0.1:3302]
                    - tag: 3
                      portals: [127.0.0.1:3301]
                    - tag: 0
                      portals: [127.0.0.1:3303]
                    - tag: 4
                """)).anySatisfy(p -> assertThat(p).contains("duplicate portal group tag 2"))
                .anySatisfy(p -> assertThat(p).contains("duplicate portal 127.0.0.1:3301"))
                .anySatisfy(p -> assertThat(p).contains("tag"))
                .hasSizeGreaterThanOrEqualTo(4);
    }

    @Test
    void withPortalsReplacesGroupOneAndKeepsTheOthers() throws Exception {
        PlatterConfig config = load("""
                  portals: [127.0.0.1:3300]
                  portal-groups:
                    - tag: 2
                      portals: [127.0.0.1:3301, "[::1]:3301"]
                """).withPortals(List.of(new Portal("127.0.0.1", 3399), new Portal("::1", 3301)));
        assertThat(config.server().portalGroups()).containsExactly(
                new PortalGroup(1, List.of(new Portal("127.0.0.1", 3399), new Portal("::1", 3301))),
                new PortalGroup(2, List.of(new Portal("127.0.0.1", 3301))));
    }

    @Test
    void aGroupNeedsATagInRangeAndAPortal() {
        assertThatThrownBy(() -> new PortalGroup(0, List.of(Portal.anyIpv4()))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PortalGroup(2, List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
