package io.platter.tests;

import static io.platter.tests.support.ConformanceStatus.FAIL;
import static io.platter.tests.support.ConformanceStatus.PASS;
import static io.platter.tests.support.ConformanceStatus.SKIP;
import static io.platter.tests.support.ConformanceStatus.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.platter.tests.support.ConformanceStatus;
import io.platter.tests.support.CuConsoleParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/** The iscsi-test-cu console parser on a crafted sample of its output format. */
class CuConsoleParserTest {

    private static String sample() throws IOException {
        try (InputStream in = CuConsoleParserTest.class.getResourceAsStream("/conformance/cu-sample.txt")) {
            assertThat(in).as("sample resource").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void classifiesEveryTestOfTheSample() throws IOException {
        SortedMap<String, ConformanceStatus> r = CuConsoleParser.parse(sample());

        assertThat(r).containsExactly(
                entry("CompareAndWrite.Miscompare", PASS),
                entry("CompareAndWrite.Simple", SKIP),
                entry("GetLBAStatus.BeyondEol", FAIL),
                entry("GetLBAStatus.Simple", PASS),
                entry("ModeSense6.Residuals", PASS),
                entry("Read10.BeyondEol", PASS),
                entry("Read10.Simple", PASS),
                entry("Read10.Simple#2", PASS),
                entry("Write10.Simple", UNKNOWN),
                entry("iSCSIdatasn.iSCSIDataSnInvalid", FAIL));
    }

    @Test
    void skippedAfterTheVerdictBelongsToTheNextTest() {
        String out = "Suite: A\n  Test: One ...passed    [SKIPPED] next set-up\n  Test: Two ...    [SKIPPED] nope\npassed\n";

        assertThat(CuConsoleParser.parse(out)).containsExactly(entry("A.One", PASS), entry("A.Two", SKIP));
    }

    @Test
    void failedLinesInsideAPassedTestDoNotMakeItFail() {
        String out = "Suite: B\r\n  Test: X ...    [FAILED] PRIN ... UNIT ATTENTION\r\npassed\r\n";

        assertThat(CuConsoleParser.parse(out)).containsExactly(entry("B.X", PASS));
    }

    @Test
    void totalsCountEachStatus() throws IOException {
        CuConsoleParser.Totals t = CuConsoleParser.Totals.of(CuConsoleParser.parse(sample()));

        assertThat(t).isEqualTo(new CuConsoleParser.Totals(6, 2, 1, 1));
        assertThat(t.total()).isEqualTo(10);
    }

    @Test
    void concatenatedRunsOfOneSuiteEachAreAllParsed() {
        String out = "Suite: A\n  Test: One ...passed\n\nRun Summary:    Type  Total\nElapsed time = 0.1 seconds\n"
                + "Suite: B\n  Test: Two ...    [SKIPPED] nope\npassed\n\nRun Summary:    Type  Total\n";

        assertThat(CuConsoleParser.parse(out)).containsExactly(entry("A.One", PASS), entry("B.Two", SKIP));
    }

    @Test
    void noSuiteLinesMeansNoResults() {
        assertThat(CuConsoleParser.parse("Failed to login to target\n")).isEmpty();
    }
}
