package io.platter.iscsi.login;

import static io.platter.iscsi.login.LoginNegotiator.OPERATIONAL;
import static io.platter.iscsi.login.LoginNegotiator.SECURITY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Negotiation rules of RFC 7143 §6.2 and §13 as the {@link LoginKey} table applies them. */
class LoginNegotiatorTest {
    private SessionParameters params = new SessionParameters();

    private Map<String, String> negotiate(int stage, String... pairs) throws LoginException {
        Map<String, String> offered = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            offered.put(pairs[i], pairs[i + 1]);
        }
        return LoginNegotiator.negotiate(offered, stage, params);
    }

    @Test
    void tableHasNoDuplicatesAndFindsEveryKey() {
        for (LoginKey key : LoginKey.values()) {
            assertThat(LoginKey.byName(key.keyName())).isSameAs(key);
        }
        assertThat(LoginKey.byName("headerdigest")).as("key names are case-sensitive").isNull();
    }

    @ParameterizedTest(name = "{0}={1} -> {2}")
    @CsvSource({
        // LIST: the first offered value we support (§6.2.1)
        "HeaderDigest,        'CRC32C,None',   CRC32C",
        "HeaderDigest,        'None,CRC32C',   None",
        "DataDigest,          'MD5,CRC32C',    CRC32C",
        "DataDigest,          MD5,             Reject",
        // AND (§6.2.2): ours ImmediateData=Yes, OFMarker=No
        "ImmediateData,       Yes,             Yes",
        "ImmediateData,       No,              No",
        "OFMarker,            Yes,             No",
        "ImmediateData,       maybe,           Reject",
        // OR (§6.2.2): ours InitialR2T=No, DataPDUInOrder=Yes
        "InitialR2T,          Yes,             Yes",
        "InitialR2T,          No,              No",
        "DataPDUInOrder,      No,              Yes",
        "DataSequenceInOrder, yes,             Reject",
        // MIN / MAX numbers with ranges (§6.2.2, §13)
        "MaxBurstLength,      262144,          262144",
        "MaxBurstLength,      16777215,        16776192",
        "MaxBurstLength,      0x40000,         262144",
        "MaxBurstLength,      511,             Reject",
        "MaxBurstLength,      16777216,        Reject",
        "MaxBurstLength,      lots,            Reject",
        "MaxBurstLength,      -1,              Reject",
        "MaxConnections,      4,               4",
        "MaxConnections,      8,               4",
        "MaxConnections,      0,               Reject",
        "MaxOutstandingR2T,   64,              16",
        "MaxOutstandingR2T,   1,               1",
        "ErrorRecoveryLevel,  2,               1",
        "ErrorRecoveryLevel,  1,               1",
        "ErrorRecoveryLevel,  0,               0",
        "ErrorRecoveryLevel,  3,               Reject",
        "DefaultTime2Retain,  0,               0",
        "DefaultTime2Retain,  3601,            Reject",
        "DefaultTime2Wait,    0,               2",
        "DefaultTime2Wait,    60,              60",
        "DefaultTime2Wait,    3601,            Reject",
        "iSCSIProtocolLevel,  2,               1",
        "TaskReporting,       'ResponseFence,RFC3720', RFC3720",
        // obsolete markers (§13.26)
        "OFMarkInt,           2048~8192,       Reject",
        // unknown and vendor keys (§6.2, §13.16)
        "FooBar,              1,               NotUnderstood",
        "X-com.example.Feature, Yes,           NotUnderstood",
        "X#vendor,            1,               NotUnderstood",
        // declarative keys the target owns: not for the initiator to send (§13.3, §13.8, §13.9)
        "SendTargets,         All,             Irrelevant",
        "TargetAddress,       '10.0.0.1:3260,1', Irrelevant",
    })
    void answersByRule(String key, String offered, String expected) throws LoginException {
        assertThat(negotiate(OPERATIONAL, key, offered)).containsExactly(Map.entry(key, expected));
    }

    @Test
    void acceptedValuesAreRecordedRejectedOnesAreNot() throws LoginException {
        negotiate(OPERATIONAL, "HeaderDigest", "CRC32C", "DataDigest", "MD5", "MaxBurstLength", "65536",
                "InitialR2T", "Yes", "ErrorRecoveryLevel", "7");
        assertThat(params.headerDigest()).isTrue();
        assertThat(params.dataDigest()).isFalse();
        assertThat(params.maxBurstLength()).isEqualTo(65536);
        assertThat(params.initialR2T()).isTrue();
        assertThat(params.errorRecoveryLevel()).isZero();
    }

    @Test
    void firstBurstLengthIsCappedAtMaxBurstLengthWhateverTheOrder() throws LoginException {
        // FirstBurstLength offered first: MaxBurstLength still governs it (§13.14).
        Map<String, String> answer = negotiate(OPERATIONAL, "FirstBurstLength", "262144", "MaxBurstLength", "65536");
        assertThat(answer).containsExactly(Map.entry("FirstBurstLength", "65536"),
                Map.entry("MaxBurstLength", "65536"));
        assertThat(params.firstBurstLength()).isEqualTo(65536);
        assertThat(params.maxBurstLength()).isEqualTo(65536);
    }

    @Test
    void firstBurstLengthIsCappedAtTheDefaultMaxBurstLength() throws LoginException {
        assertThat(negotiate(OPERATIONAL, "FirstBurstLength", "1048576"))
                .containsExactly(Map.entry("FirstBurstLength", "262144"));
        assertThat(params.firstBurstLength()).isEqualTo(262144);
    }

    @Test
    void aSmallMaxBurstLengthAlsoLowersTheDefaultFirstBurstLength() throws LoginException {
        // Found by LoginNegotiatorPropertiesTest: FirstBurstLength not offered keeps its default 65536.
        assertThat(negotiate(OPERATIONAL, "MaxBurstLength", "512")).containsExactly(Map.entry("MaxBurstLength", "512"));
        assertThat(params.firstBurstLength()).isEqualTo(512);
    }

    @Test
    void maxRecvDataSegmentLengthIsDeclaredBothWays() throws LoginException {
        // The initiator declares what it receives; we answer with what we receive (§13.12).
        assertThat(negotiate(OPERATIONAL, "MaxRecvDataSegmentLength", "8192"))
                .containsExactly(Map.entry("MaxRecvDataSegmentLength", "262144"));
        assertThat(params.maxXmitDataSegmentLength()).isEqualTo(8192);
        assertThat(params.maxRecvDataSegmentLength()).isEqualTo(262144);
    }

    @Test
    void maxRecvDataSegmentLengthOutOfRangeIsRejectedAndNotRecorded() throws LoginException {
        assertThat(negotiate(OPERATIONAL, "MaxRecvDataSegmentLength", "511"))
                .containsExactly(Map.entry("MaxRecvDataSegmentLength", "Reject"));
        assertThat(params.maxXmitDataSegmentLength()).isEqualTo(8192);
    }

    @Test
    void authMethodNoneIsChosenInTheSecurityStage() throws LoginException {
        assertThat(negotiate(SECURITY, "AuthMethod", "CHAP,None")).containsExactly(Map.entry("AuthMethod", "None"));
        assertThat(params.get(LoginKey.AUTH_METHOD)).isEqualTo("None");
    }

    @Test
    void noAcceptableAuthMethodFailsAuthentication() {
        assertThatThrownBy(() -> negotiate(SECURITY, "AuthMethod", "CHAP,SRP"))
                .isInstanceOfSatisfying(LoginException.class,
                        e -> assertThat(e.status()).isEqualTo(LoginStatus.AUTHENTICATION_FAILURE));
    }

    @Test
    void authMethodOutsideTheSecurityStageFails() {
        assertThatThrownBy(() -> negotiate(OPERATIONAL, "AuthMethod", "None"))
                .isInstanceOfSatisfying(LoginException.class,
                        e -> assertThat(e.status()).isEqualTo(LoginStatus.INITIATOR_ERROR));
    }

    @Test
    void unsupportedSessionTypeFails() {
        assertThatThrownBy(() -> negotiate(SECURITY, "SessionType", "Bogus"))
                .isInstanceOfSatisfying(LoginException.class,
                        e -> assertThat(e.status()).isEqualTo(LoginStatus.SESSION_TYPE_NOT_SUPPORTED));
    }

    @Test
    void declarationsAreRecordedButNotAnswered() throws LoginException {
        Map<String, String> answer = negotiate(SECURITY, "InitiatorName", "iqn.1994-05.com.redhat:x",
                "InitiatorAlias", "host", "SessionType", "Discovery", "TargetName", "iqn.2024-01.io.platter:t", "AuthMethod", "None");
        assertThat(answer).containsExactly(Map.entry("AuthMethod", "None"));
        assertThat(params.initiatorName()).isEqualTo("iqn.1994-05.com.redhat:x");
        assertThat(params.targetName()).isEqualTo("iqn.2024-01.io.platter:t");
        assertThat(params.discovery()).isTrue();
    }

    @Test
    void namesAreIscsiNamesInTheirStringprepForm() throws LoginException {
        // Issue 21 finding 1: any non-empty InitiatorName went into the log and the .pr file raw.
        negotiate(SECURITY, "InitiatorName", "IQN.1994-05.COM.Redhat:Host", "TargetName", "eui.02004567A425678D");
        assertThat(params.initiatorName()).isEqualTo("iqn.1994-05.com.redhat:host");
        assertThat(params.targetName()).isEqualTo("eui.02004567a425678d");
        String longest = "iqn.2024-01.io.platter:" + "x".repeat(223 - 23);
        negotiate(SECURITY, "InitiatorName", longest, "InitiatorAlias", "host 1 (rack 2) ü");
        assertThat(params.initiatorName()).isEqualTo(longest);
    }

    @Test
    void malformedNamesAndAliasesAreInitiatorErrors() {
        for (String[] pair : new String[][] {
                {"InitiatorName", "iqn.1994-05.com.redhat:x\n<0>forged"},
                {"InitiatorName", "iqn.1994-05.com.redhat:two words"},
                {"InitiatorName", " iqn.1994-05.com.redhat:x"},
                {"InitiatorName", "iqn.1994-05.com.redhat:x\r"},
                {"InitiatorName", "iqn.2024-01.io.platter:" + "x".repeat(224 - 23)},
                {"InitiatorName", "initiator"},
                {"InitiatorName", "iqn.1994-05.com.redhat:a/b"},
                {"TargetName", "iqn.2024-01.io.platter:t\u0000"},
                {"TargetName", "eui.12"},
                {"InitiatorAlias", "host\n<0>forged"},
                {"InitiatorAlias", "h".repeat(256)}}) {
            params = new SessionParameters();
            assertThatThrownBy(() -> negotiate(SECURITY, pair[0], pair[1])).as(pair[0] + "=" + pair[1])
                    .isInstanceOfSatisfying(LoginException.class,
                            e -> assertThat(e.status()).isEqualTo(LoginStatus.INITIATOR_ERROR));
        }
    }

    @Test
    void answersAreNotAnsweredAgain() throws LoginException {
        // "NotUnderstood", "Irrelevant" and "Reject" are answers, not offers (§6.2).
        assertThat(negotiate(OPERATIONAL, "HeaderDigest", "Reject", "ImmediateData", "Irrelevant",
                "InitialR2T", "NotUnderstood")).isEmpty();
        assertThat(params.headerDigest()).isFalse();
    }

    @Test
    void answersOnlyOfferedKeysInOfferOrder() throws LoginException {
        Map<String, String> answer = negotiate(OPERATIONAL, "X-a", "1", "MaxBurstLength", "65536",
                "InitialR2T", "Yes", "DataDigest", "None", "FirstBurstLength", "4096");
        assertThat(answer.keySet()).containsExactly("X-a", "MaxBurstLength", "InitialR2T", "DataDigest",
                "FirstBurstLength");
    }

    @Test
    void defaultsAreTheRfcDefaults() {
        assertThat(params.headerDigest()).isFalse();
        assertThat(params.dataDigest()).isFalse();
        assertThat(params.maxXmitDataSegmentLength()).isEqualTo(8192);
        assertThat(params.maxBurstLength()).isEqualTo(262144);
        assertThat(params.firstBurstLength()).isEqualTo(65536);
        assertThat(params.initialR2T()).isTrue();
        assertThat(params.immediateData()).isTrue();
        assertThat(params.maxOutstandingR2T()).isEqualTo(1);
        assertThat(params.defaultTime2Wait()).isEqualTo(2);
        assertThat(params.defaultTime2Retain()).isEqualTo(20);
        assertThat(params.errorRecoveryLevel()).isZero();
        assertThat(params.discovery()).isFalse();
    }
}
