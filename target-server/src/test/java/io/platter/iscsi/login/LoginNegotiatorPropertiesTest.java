package io.platter.iscsi.login;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Whatever is offered, the negotiator answers only offered keys and keeps the session parameters sane. */
class LoginNegotiatorPropertiesTest {

    @Property(tries = 2000)
    void answersOnlyOfferedKeysAndParametersStayParseable(@ForAll("offers") Map<String, String> offered,
                                                          @ForAll @IntRange(max = 1) int stage) {
        SessionParameters params = new SessionParameters();
        Map<String, String> answer;
        try {
            answer = LoginNegotiator.negotiate(offered, stage, params);
        } catch (LoginException e) {
            assertThat(e.status().statusClass()).isEqualTo(2);
            return;
        }
        assertThat(offered.keySet()).containsAll(answer.keySet());
        assertThat(answer.values()).allSatisfy(v -> assertThat(v).isNotNull());
        // Numbers the connection relies on are always valid after negotiation.
        assertThat(params.maxBurstLength()).isBetween(512, 16777215);
        assertThat(params.firstBurstLength()).isBetween(512, params.maxBurstLength());
        assertThat(params.maxXmitDataSegmentLength()).isBetween(512, 16777215);
        assertThat(params.maxOutstandingR2T()).isBetween(1, 65535);
        assertThat(params.errorRecoveryLevel()).isBetween(0, 1); // ours is 1: MIN never goes above it
    }

    @Provide
    Arbitrary<Map<String, String>> offers() {
        Arbitrary<String> names = Arbitraries.oneOf(
                Arbitraries.of(LoginKey.values()).map(LoginKey::keyName),
                Arbitraries.of("X-vendor", "Unknown", "X#y"));
        Arbitrary<String> values = Arbitraries.oneOf(
                Arbitraries.of("Yes", "No", "None", "CRC32C", "CRC32C,None", "CHAP", "Normal", "Discovery",
                        "Reject", "Irrelevant", "NotUnderstood", "", "0x", "0x10000", "-5", "+512"),
                Arbitraries.integers().between(-10, 20_000_000).map(String::valueOf));
        return Arbitraries.maps(names, values).ofMaxSize(12);
    }
}
