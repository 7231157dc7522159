package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shape of the CLI against a running daemon: {@code target show}, {@code lun list} (sorted by
 * target, then LUN), {@code volume rename} (files follow, a mapped volume is refused), relative
 * resize, {@code --lun} without {@code --target}, sizes (GB is 10^9, G and GiB 2^30), IQNs in any
 * case, and human output without {@code null} or {@code -1}, dates in ISO 8601.
 */
@Timeout(600) // some 25 CLI runs of a JVM each; slow on a busy machine
class CliShapeIT {
    private static final String IQN = PlatterProcess.IQN;
    private static final String SECOND = "iqn.2026-11.io.platter:a-second";

    private static void noNullNoMinusOne(String output) {
        assertThat(output).doesNotContain("null").doesNotContainPattern("(^|\\s)-1(\\s|$)");
    }

    @Test
    void targetShowLunListRenameAndRelativeResize() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("cli-shape", "16M")) {
            String upper = IQN.toUpperCase(Locale.ROOT);
            server.cliOk("target", "create", SECOND.toUpperCase(Locale.ROOT));
            server.cliOk("volume", "create", "v5", "--size", "64M", "--target", upper, "--lun", "5");
            server.cliOk("volume", "create", "v2", "--size", "32M", "--target", IQN, "--lun", "2");

            String show = server.cliOk("target", "show", upper);
            noNullNoMinusOne(show);
            assertThat(show).contains("iqn:", IQN, "chap: none", "sessions: 0", "127.0.0.1:" + server.port(),
                    "every initiator");
            assertThat(lunRows(show)).containsExactly("0", "2", "5");
            assertThat(show).containsPattern("5\\s+v5\\s+64M\\s+online\\s+" + Pattern.quote(server.dataDir()
                    .resolve("v5.qcow2").toString()));

            String all = server.cliOk("lun", "list");
            noNullNoMinusOne(all);
            List<String> rows = all.lines().skip(1).toList();
            assertThat(rows).hasSize(3).allMatch(r -> r.startsWith(IQN));
            assertThat(rows.stream().map(r -> r.split("\\s+")[1]).toList()).containsExactly("0", "2", "5");
            assertThat(server.cliOk("lun", "list", "--target", SECOND).lines().skip(1)).isEmpty();
            assertThat(server.cliOk("lun", "list", "--target", upper).lines().skip(1)).hasSize(3);
            Tools.result(server.cli("lun", "list", "--target", "iqn.2026-11.io.platter:nope"), "no target");

            // Relative resize of a mapped volume (online) and of an unmapped one; shrinking needs --force.
            assertThat(server.cliOk("volume", "resize", "v5", "--size", "+64M")).contains("is now 128M");
            assertThat(server.cliOk("lun", "list", "--target", IQN)).containsPattern("5\\s+v5\\s+128M\\s+online");
            server.cliOk("volume", "create", "v3", "--size", "16M");
            assertThat(server.cliOk("volume", "resize", "v3", "--size", "+16M")).contains("is now 32M");
            Tools.result(server.cli("volume", "resize", "v3", "--size", "-8M"), "--force");
            assertThat(server.cliOk("volume", "resize", "v3", "--size", "-8M", "--force")).contains("is now 24M");
            Tools.result(server.cli("volume", "resize", "v3", "--size=-1G", "--force"), "leaves nothing");
            Tools.result(server.cli("volume", "resize", "v3", "--size", "1.5G"), "1536M");

            // Sizes: GB is decimal, G binary; "Gb" is refused as ambiguous.
            assertThat(server.cliOk("volume", "create", "si", "--size", "1GB")).contains("953.7M");
            assertThat(server.cliOk("volume", "show", "si")).contains("(1000000000 bytes)");
            assertThat(server.cliOk("volume", "create", "bin", "--size", "1GiB")).contains("created: 1G");
            Tools.result(server.cli("volume", "create", "bits", "--size", "10Gb"), "bits");

            // --lun without --target: a usage error, nothing created.
            Tools.Result lunAlone = server.cli("volume", "create", "x", "--size", "16M", "--lun", "3");
            assertThat(lunAlone.exitCode()).as(lunAlone.describe()).isEqualTo(2);
            assertThat(lunAlone.output()).contains("--lun needs --target");
            assertThat(Files.exists(server.dataDir().resolve("x.qcow2"))).isFalse();

            // Rename: refused while mapped; an unmapped volume's image, identity and snapshots follow.
            Tools.result(server.cli("volume", "rename", "v2", "v2b"), "unmap it first");
            server.cliOk("lun", "map", IQN, "v3", "--lun", "7");
            server.cliOk("lun", "unmap", IQN, "7");
            server.cliOk("snapshot", "create", "v3", "s1");
            Path oldImage = server.dataDir().resolve("v3.qcow2");
            Path oldId = server.dataDir().resolve("v3.qcow2.id");
            String identity = Files.readString(oldId);
            assertThat(server.cliOk("volume", "rename", "v3", "v4")).contains("renamed to v4");
            assertThat(oldImage).doesNotExist();
            assertThat(oldId).doesNotExist();
            assertThat(Files.readString(server.dataDir().resolve("v4.qcow2.id"))).isEqualTo(identity);
            Tools.result(server.cli("volume", "show", "v3"), "no volume v3");
            String v4 = server.cliOk("volume", "show", "v4");
            noNullNoMinusOne(v4);
            assertThat(v4).contains("size: 24M", "image: " + server.dataDir().resolve("v4.qcow2"), "target: -", "lun: -");
            Tools.result(server.cli("volume", "rename", "v4", "si"), "exists already");
            Tools.result(server.cli("volume", "rename", "v4", "bad/name"), "bad volume name");

            // Snapshot dates in ISO 8601, local time with its offset.
            String snapshots = server.cliOk("snapshot", "list", "v4");
            Matcher date = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[+-]\\d\\d:\\d\\d").matcher(snapshots);
            assertThat(date.find()).as(snapshots).isTrue();
            assertThat(OffsetDateTime.parse(date.group()).toEpochSecond())
                    .isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(600L));

            String volumes = server.cliOk("volume", "list");
            noNullNoMinusOne(volumes);
            assertThat(volumes).contains("v4", "v5", "si");
            noNullNoMinusOne(server.cliOk("target", "list"));

            // Persisted under the new name: after a restart v4 is there and v3 is not.
            server.restart();
            assertThat(server.cliOk("volume", "list")).contains("v4").doesNotContain("v3");
            assertThat(server.cliOk("snapshot", "list", "v4")).contains("s1");
            server.assertNoInternalErrors();
        }
    }

    /** The LUN numbers of the LUN table that {@code target show} prints under {@code luns:}. */
    private static List<String> lunRows(String show) {
        return show.lines().dropWhile(l -> !l.startsWith("luns:")).skip(2)
                .map(l -> l.strip().split("\\s+")[0]).toList();
    }
}
