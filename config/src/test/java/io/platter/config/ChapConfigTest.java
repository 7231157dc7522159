package io.platter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chap, discovery-chap and acl keys: binding, validation, and secrets kept out of messages. */
class ChapConfigTest {

    private static final Path DIR = Path.of("/tmp");
    private static final Path FILE = Path.of("/tmp/platter.yaml");
    private final List<ConfigProblem> warnings = new ArrayList<>();

    private PlatterConfig load(String yaml) throws ConfigException {
        return ConfigLoader.read(yaml, DIR, FILE, warnings::add);
    }

    private List<ConfigProblem> problems(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(yaml));
        assertThat(e).as("expected the file to be rejected").isNotNull();
        return e.problems();
    }

    @Test
    void bindsTargetChapAclAndDiscoveryChap() throws Exception {
        PlatterConfig config = load("""
                server:
                  discovery-chap: {user: disco, secret: "discovery-secret-1"}
                targets:
                  - iqn: iqn.2026-11.io.platter:a
                    chap:
                      user: alice
                      secret: "0123456789abcdef"
                      mutual-user: target-a
                      mutual-secret: "fedcba9876543210"
                    acl:
                      - IQN.1994-05.com.redhat:Client1
                      - iqn.1991-05.com.microsoft:win
                  - iqn: iqn.2026-11.io.platter:b
                """);

        assertThat(config.server().discoveryChap()).isEqualTo(ChapCredentials.oneWay("disco", "discovery-secret-1"));
        TargetConfig a = config.targets().get(0);
        assertThat(a.chap()).isEqualTo(new ChapCredentials("alice", "0123456789abcdef", "target-a", "fedcba9876543210"));
        assertThat(a.chap().mutual()).isTrue();
        assertThat(a.acl()).containsExactly("iqn.1994-05.com.redhat:client1", "iqn.1991-05.com.microsoft:win");
        TargetConfig b = config.targets().get(1);
        assertThat(b.chap()).isNull();
        assertThat(b.acl()).as("no acl: everyone").isEmpty();
        assertThat(warnings).isEmpty();
    }

    @Test
    void shortSecretIsAProblemThatHidesTheSecretUnlessExplicitlyAllowed() throws Exception {
        List<ConfigProblem> problems = problems("""
                server:
                  discovery-chap: {user: disco, secret: "eleven-byte"}
                targets:
                  - iqn: iqn.2026-11.io.platter:a
                    chap: {user: alice, secret: short1, mutual-user: t, mutual-secret: "twelve-bytes"}
                """);
        assertThat(problems).extracting(ConfigProblem::where).containsExactlyInAnyOrder(
                "server.discovery-chap.secret", "targets[0].chap.secret");
        assertThat(problems).allSatisfy(p -> assertThat(p.toString()).contains("12", "allow-short-secret")
                .doesNotContain("short1", "eleven-byte"));
    }

    @Test
    void shortSecretIsAWarningThatHidesTheSecretWhenAllowed() throws Exception {
        PlatterConfig config = load("""
                targets:
                  - iqn: iqn.2026-11.io.platter:a
                    chap: {user: alice, secret: short1, allow-short-secret: true}
                """);
        assertThat(config.targets().get(0).chap().secret()).isEqualTo("short1");
        assertThat(warnings).singleElement().satisfies(w -> {
            assertThat(w.where()).isEqualTo("targets[0].chap.secret");
            assertThat(w.message()).contains("6 bytes", "12").doesNotContain("short1");
        });
    }

    @Test
    void emptySecretMissingUserAndHalfMutualAreProblems() {
        List<ConfigProblem> problems = problems("""
                server:
                  discovery-chap: {user: disco, secret: ""}
                targets:
                  - iqn: iqn.2026-11.io.platter:a
                    chap: {secret: "a-long-enough-secret"}
                  - iqn: iqn.2026-11.io.platter:b
                    chap: {user: bob, secret: "bob-secret-123456", mutual-user: tgt}
                  - iqn: iqn.2026-11.io.platter:c
                    chap: {user: carol, secret: "same-secret-12345", mutual-user: t, mutual-secret: "same-secret-12345"}
                """);
        assertThat(problems).extracting(ConfigProblem::where).containsExactlyInAnyOrder(
                "server.discovery-chap.secret",
                "targets[0].chap.user",
                "targets[1].chap.mutual-secret",
                "targets[2].chap.mutual-secret");
        assertThat(problems).allSatisfy(p -> assertThat(p.toString())
                .doesNotContain("a-long-enough-secret", "bob-secret-123456", "same-secret-12345"));
    }

    @Test
    void numericSecretMustBeQuotedAndIsNotShown() {
        List<ConfigProblem> problems = problems("""
                targets:
                  - iqn: iqn.2026-11.io.platter:a
                    chap: {user: alice, secret: 123456789012}
                """);
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.where()).isEqualTo("targets[0].chap.secret");
            assertThat(p.message()).contains("quotes").doesNotContain("123456789012");
        });
    }

    @Test
    void chapGivenAsAScalarIsNotQuoted() {
        List<ConfigProblem> problems = problems("""
                targets:
                  - iqn: iqn.2026-11.io.platter:a
                    chap: my-secret-value-123
                """);
        assertThat(problems).anySatisfy(p -> assertThat(p.where()).isEqualTo("targets[0].chap"));
        assertThat(problems).allSatisfy(p -> assertThat(p.toString()).doesNotContain("my-secret-value-123"));
    }

    @Test
    void badAndDuplicateAclNamesAreProblems() {
        List<ConfigProblem> problems = problems("""
                targets:
                  - iqn: iqn.2026-11.io.platter:a
                    acl: [iqn.1994-05.com.redhat:x, "IQN.1994-05.com.redhat:X", not-a-name]
                """);
        assertThat(problems).extracting(ConfigProblem::where)
                .containsExactlyInAnyOrder("targets[0].acl[1]", "targets[0].acl[2]");
        assertThat(problems.get(0).message()).contains("duplicate");
    }

    @Test
    void unknownChapKeyIsReported() {
        List<ConfigProblem> problems = problems("""
                targets:
                  - iqn: iqn.2026-11.io.platter:a
                    chap: {user: alice, secret: "0123456789abcdef", pasword: x}
                """);
        assertThat(problems).singleElement().satisfies(p -> assertThat(p.where()).isEqualTo("targets[0].chap.pasword"));
    }

    @Test
    void credentialsNeverPrintTheirSecrets() {
        ChapCredentials c = new ChapCredentials("u", "secret-one-123", "m", "secret-two-456");
        assertThat(c.toString()).contains("u", "m").doesNotContain("secret-one-123", "secret-two-456");
        assertThatThrownBy(() -> new ChapCredentials("u", "", null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChapCredentials("u", "s", "m", null)).isInstanceOf(IllegalArgumentException.class);
    }
}
