package io.platter.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The CLI's human output and usage rules, without a daemon: no null, no -1, sorted LUNs, ISO dates. */
class CliShapeTest {

    private static JsonNode json(String text) throws Exception {
        return Json.read(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"volume create v --size 1G --lun 3", "volume import v f.img --format raw --lun 1",
            "clone a b --lun 0"})
    void lunWithoutTargetIsAUsageError(String line) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new io.platter.server.Main()).setErr(new PrintWriter(err));
        int code = cli.execute(line.split(" "));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--lun needs --target");
    }

    @Test
    void aRelativeShrinkIsTheValueOfSize() {
        VolumeCommand.Resize resize = new VolumeCommand.Resize();
        new CommandLine(resize).parseArgs("v", "--size", "-1G");
        assertThat(resize.size).isEqualTo("-1G");
        new CommandLine(resize).parseArgs("v", "--size", "+10G");
        assertThat(resize.size).isEqualTo("+10G");
    }

    @Test
    void tablesShowNoNullAndNoMinusOneAndSortLuns() throws Exception {
        JsonNode rows = json("""
                [{"name": "a", "sizeBytes": -1, "allocatedBytes": 0, "target": null, "lun": -1, "backing": null},
                 {"name": "b", "sizeBytes": 1073741824, "allocatedBytes": 1536, "target": "iqn.x", "lun": 3}]""");
        StringWriter out = new StringWriter();
        ApiCommand.table(new PrintWriter(out, true), rows, VolumeCommand.COLUMNS);
        assertThat(out.toString()).doesNotContain("null").doesNotContain("-1");
        assertThat(out.toString().lines().skip(1).findFirst().orElseThrow()).startsWith("a").contains(" - ");
        assertThat(out.toString()).contains("1G", "1.5K");

        JsonNode target = json("""
                {"iqn": "iqn.x", "luns": [{"lun": 10}, {"lun": 2}, {"lun": 0}], "chapUser": null, "acl": []}""");
        assertThat(ApiCommand.cell(target.path("luns"), "luns", null)).isEqualTo("0,2,10");
        assertThat(ApiCommand.cell(target.path("chapUser"), "chapUser", null)).isEqualTo("-");
        assertThat(ApiCommand.cell(target.path("acl"), "acl", null)).isEqualTo("-");
        assertThat(ApiCommand.human(-1)).isEqualTo("-");
    }

    @Test
    void volumeShowHasNoNullAndNoMinusOne() throws Exception {
        JsonNode v = json("""
                {"name": "a", "format": "qcow2", "provisioning": "thin", "sizeBytes": -1, "allocatedBytes": 196608,
                 "image": "/d/a.qcow2", "template": false, "backing": null, "target": null, "lun": -1, "snapshots": 0}""");
        StringWriter out = new StringWriter();
        ApiCommand.fields(new PrintWriter(out, true), v, VolumeCommand.SHOW_FIELDS);
        assertThat(out.toString()).doesNotContain("null").doesNotContain("-1")
                .contains("allocated: 192K (196608 bytes)", "backing: -\n");
    }

    @Test
    void datesAreIso8601InLocalTimeWithTheOffset() throws Exception {
        long seconds = 1_796_600_000L;
        String shown = ApiCommand.cell(json("" + seconds), "dateSeconds", ApiCommand.DATE);
        assertThat(shown).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[+-]\\d\\d:\\d\\d");
        assertThat(OffsetDateTime.parse(shown).toInstant()).isEqualTo(Instant.ofEpochSecond(seconds));
        assertThat(OffsetDateTime.parse(shown).getOffset())
                .isEqualTo(ZoneId.systemDefault().getRules().getOffset(Instant.ofEpochSecond(seconds)));
        StringWriter out = new StringWriter();
        ApiCommand.table(new PrintWriter(out, true), json("[{\"id\": \"1\", \"name\": \"s\", \"dateSeconds\": "
                + seconds + ", \"diskSizeBytes\": 1048576}]"), new String[][] {{"DATE", "dateSeconds", ApiCommand.DATE}});
        assertThat(out.toString()).contains(shown).doesNotContain("" + seconds);
    }
}
