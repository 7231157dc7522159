package io.platter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code snapshot-groups:} section and the {@code imported: in-place} mark of a volume round-trip. */
class SnapshotGroupConfigTest {

    @TempDir
    Path dir;

    private static final String FILE = """
            version: 1
            server:
              data-dir: data
            volumes:
              - name: db
                image: db.qcow2
              - name: logs
                image: logs.qcow2
              - name: adopted
                image: adopted.qcow2
                imported: in-place
            snapshot-groups:
              - group: app
                snapshot: nightly
                volumes: [db, logs]
                created: "2026-12-07T23:10:05.123456789Z"
              - group: app
                snapshot: weekly
                volumes: [logs]
                created: 2026-12-01T01:00:00Z
            """;

    @Test
    void groupsAndTheImportMarkSurviveAWriteAndALoad() throws Exception {
        PlatterConfig config = ConfigLoader.load(Files.writeString(dir.resolve("platter.yaml"), FILE));
        assertThat(config.snapshotGroups()).containsExactly(
                new SnapshotGroup("app", "nightly", List.of("db", "logs"), Instant.parse("2026-12-07T23:10:05.123456789Z")),
                new SnapshotGroup("app", "weekly", List.of("logs"), Instant.parse("2026-12-01T01:00:00Z")));
        assertThat(config.volume("adopted").orElseThrow().importedInPlace()).isTrue();
        assertThat(config.volume("db").orElseThrow().importedInPlace()).isFalse();
        assertThat(config.snapshotGroup("app", "weekly")).isPresent();

        Path copy = dir.resolve("copy.yaml");
        Files.writeString(copy, ConfigWriter.toYaml(config));
        assertThat(Files.readString(copy)).contains("snapshot-groups:").contains("imported: in-place");
        assertThat(ConfigLoader.load(copy)).isEqualTo(config);
    }

    @Test
    void aConfigWithoutGroupsWritesNoSection() throws Exception {
        PlatterConfig config = PlatterConfig.embeddedDefault(dir);
        assertThat(config.snapshotGroups()).isEmpty();
        assertThat(ConfigWriter.toYaml(config)).doesNotContain("snapshot-groups").doesNotContain("imported");
    }

    @Test
    void aMemberThatIsNoVolumeIsDroppedAndBadEntriesAreReported() throws Exception {
        Path ok = Files.writeString(dir.resolve("gone.yaml"), """
                volumes:
                  - name: db
                    image: db.qcow2
                snapshot-groups:
                  - group: app
                    snapshot: s1
                    volumes: [db, removed]
                    created: "2026-12-07T23:10:05Z"
                  - group: app
                    snapshot: s2
                    volumes: [removed]
                    created: "2026-12-07T23:10:05Z"
                """);
        assertThat(ConfigLoader.load(ok).snapshotGroups())
                .containsExactly(new SnapshotGroup("app", "s1", List.of("db"), Instant.parse("2026-12-07T23:10:05Z")));

        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                volumes:
                  - name: db
                    image: db.qcow2
                  - name: other
                    image: other.qcow2
                    imported: somewhere
                snapshot-groups:
                  - group: "-x"
                    snapshot: s1
                    volumes: [db]
                    created: yesterday
                  - group: app
                    snapshot: s1
                    volumes: [db, db]
                    created: "2026-12-07T23:10:05Z"
                  - group: app
                    snapshot: s1
                    volumes: [db]
                    created: "2026-12-07T23:10:05Z"
                """);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(bad));
        assertThat(e.problems()).extracting(ConfigProblem::toString)
                .anySatisfy(p -> assertThat(p).contains("volumes[1].imported").contains("in-place"))
                .anySatisfy(p -> assertThat(p).contains("snapshot-groups[0].group").contains("bad name"))
                .anySatisfy(p -> assertThat(p).contains("snapshot-groups[0].created").contains("ISO-8601"))
                .anySatisfy(p -> assertThat(p).contains("snapshot-groups[1].volumes").contains("twice"))
                .anySatisfy(p -> assertThat(p).contains("snapshot-groups[2].snapshot").contains("recorded twice"));
    }

    @Test
    void aTemplateVolumeCannotBeALunOfTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("template-lun.yaml"), """
                targets:
                  - iqn: iqn.2026-11.io.platter:t
                    luns:
                      - id: 0
                        image: gold.qcow2
                        format: qcow2
                volumes:
                  - name: gold
                    image: gold.qcow2
                    template: true
                """);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));
        assertThat(e.problems()).extracting(ConfigProblem::toString).anySatisfy(p -> assertThat(p)
                .contains("targets[0].luns[0].image").contains("read-only template").contains("gold"));
    }

    @Test
    void aGroupRecordNeedsDistinctMembersAndDropsThemOneByOne() {
        Instant now = Instant.now();
        assertThatThrownBy(() -> new SnapshotGroup("g", "s", List.of(), now)).hasMessageContaining("no volumes");
        assertThatThrownBy(() -> new SnapshotGroup("g", "s", List.of("a", "a"), now)).hasMessageContaining("twice");
        SnapshotGroup g = new SnapshotGroup("g", "s", List.of("a", "b"), now);
        assertThat(g.withoutVolume("a").volumes()).containsExactly("b");
        assertThat(g.withoutVolume("a").withoutVolume("b")).isNull();
    }
}
