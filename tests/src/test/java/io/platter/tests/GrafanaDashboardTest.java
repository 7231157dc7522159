package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard shipped in packaging/ parses and queries only metrics docs/metrics.md documents. */
class GrafanaDashboardTest {
    private static final Pattern METRIC = Pattern.compile("platter_[a-z_]+");

    @Test
    void everyPanelQueriesDocumentedMetrics() throws IOException {
        Path root = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
        JsonNode dashboard = new ObjectMapper().readTree(root.resolve("packaging/grafana/platter-dashboard.json").toFile());
        String docs = Files.readString(root.resolve("docs/metrics.md"));
        Set<String> used = new TreeSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
            for (JsonNode target : panel.get("targets")) {
                Matcher m = METRIC.matcher(target.get("expr").asText());
                while (m.find()) {
                    used.add(m.group().replaceAll("_(bucket|count|sum)$", ""));
                }
            }
        }
        assertThat(used).hasSizeGreaterThan(10);
        assertThat(used).allSatisfy(name -> assertThat(docs).as("docs/metrics.md documents " + name)
                .contains("`" + name + "`"));
    }
}
