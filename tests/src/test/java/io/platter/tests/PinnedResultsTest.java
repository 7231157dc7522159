package io.platter.tests;

import static io.platter.tests.support.ConformanceStatus.FAIL;
import static io.platter.tests.support.ConformanceStatus.PASS;
import static io.platter.tests.support.ConformanceStatus.SKIP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.platter.tests.support.ConformanceStatus;
import io.platter.tests.support.PinnedResults;
import io.platter.tests.support.PlatterProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/** The pinned-results file: parse/format round trip, regressions, and never-downgrade merge. */
class PinnedResultsTest {

    @Test
    void parsesIgnoringCommentsAndBlankLines() {
        SortedMap<String, ConformanceStatus> m = PinnedResults.parse(
                "# header\n\nRead10.Simple PASS  # trailing comment\nGetLBAStatus.BeyondEol FAIL\n");

        assertThat(m).containsExactly(entry("GetLBAStatus.BeyondEol", FAIL), entry("Read10.Simple", PASS));
    }

    @Test
    void rejectsMalformedLinesWithTheirNumber() {
        assertThatThrownBy(() -> PinnedResults.parse("A.B PASS\nA.C\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 2");
        assertThatThrownBy(() -> PinnedResults.parse("A.B MAYBE\n")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void formatRoundTrips() {
        Map<String, ConformanceStatus> m = Map.of("B.Y", SKIP, "A.X", PASS);
        String text = PinnedResults.format(List.of("hello"), m);

        assertThat(text).isEqualTo("# hello\nA.X PASS\nB.Y SKIP\n");
        assertThat(PinnedResults.parse(text)).isEqualTo(m);
    }

    @Test
    void regressionsListEveryPinnedPassThatIsNotPassNow() {
        Map<String, ConformanceStatus> pinned = Map.of("A.1", PASS, "A.2", PASS, "A.3", PASS, "A.4", FAIL);
        Map<String, ConformanceStatus> now = Map.of("A.1", PASS, "A.2", SKIP, "A.4", PASS);

        assertThat(PinnedResults.regressions(pinned, now)).containsExactly("A.2: now SKIP", "A.3: now missing");
    }

    @Test
    void mergeNeverDowngradesAPass() {
        Map<String, ConformanceStatus> pinned = Map.of("A.1", PASS, "A.2", FAIL, "A.3", SKIP);
        Map<String, ConformanceStatus> now = Map.of("A.1", FAIL, "A.2", PASS, "A.4", SKIP);

        assertThat(PinnedResults.merge(pinned, now)).containsExactly(
                entry("A.1", PASS), entry("A.2", PASS), entry("A.3", SKIP), entry("A.4", SKIP));
    }

    @Test
    void reasonLinesAreCommentsThatCoverTestsOrWholeSuites() {
        String text = "# header\n# SKIP Sanitize.*: SANITIZE not supported\n"
                + "#FAIL GetLBAStatus.UnmapSingle:  assumes 1 block per physical block\n"
                + "# a remark: not a reason\n"
                + "GetLBAStatus.UnmapSingle FAIL\nSanitize.Overwrite SKIP\nWriteSame10.Simple SKIP\nRead10.Simple PASS\n";
        List<PinnedResults.Reason> reasons = PinnedResults.reasons(text);

        assertThat(reasons).containsExactly(
                new PinnedResults.Reason(SKIP, "Sanitize.*", "SANITIZE not supported"),
                new PinnedResults.Reason(FAIL, "GetLBAStatus.UnmapSingle", "assumes 1 block per physical block"));
        assertThat(PinnedResults.parse(text)).hasSize(4);
        assertThat(PinnedResults.unexplained(PinnedResults.parse(text), reasons))
                .containsExactly("WriteSame10.Simple SKIP");
        assertThat(reasons.get(0).covers("Sanitize.Overwrite", FAIL)).as("status must match").isFalse();
        assertThat(reasons.get(0).covers("SanitizeX.Overwrite", SKIP)).isFalse();
    }

    @Test
    void reasonsSurviveFormatting() {
        List<PinnedResults.Reason> reasons = List.of(new PinnedResults.Reason(SKIP, "B.*", "no B"));
        String text = PinnedResults.format(List.of("hello"), reasons, Map.of("B.Y", SKIP, "A.X", PASS));

        assertThat(text).isEqualTo("# hello\n# SKIP B.*: no B\nA.X PASS\nB.Y SKIP\n");
        assertThat(PinnedResults.reasons(text)).isEqualTo(reasons);
    }

    @Test
    void everyTestOfThePinnedFileThatDoesNotPassHasAReason() throws IOException {
        Path file = PlatterProcess.moduleDir().resolve("conformance").resolve("iscsi-test-cu.pinned");
        String text = Files.readString(file, StandardCharsets.UTF_8);

        assertThat(PinnedResults.unexplained(PinnedResults.parse(text), PinnedResults.reasons(text)))
                .as("tests in %s without a '# SKIP|FAIL Suite.Test: reason' line", file).isEmpty();
    }
}
