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

    /**
     * Issue 15: one dashboard for a fleet. Variables instance, target and lun (each from a
     * documented metric, the later ones narrowed by the earlier), and every query honours them:
     * all filter by instance, per-LUN metrics also by target and lun, and per-LUN panels name the volume.
     */
    @Test
    void theDashboardHasInstanceTargetAndLunVariablesAndEveryQueryUsesThem() throws IOException {
        Path root = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
        JsonNode dashboard = new ObjectMapper().readTree(root.resolve("packaging/grafana/platter-dashboard.json").toFile());
        String docs = Files.readString(root.resolve("docs/metrics.md"));
        java.util.Map<String, String> variables = new java.util.LinkedHashMap<>();
        for (JsonNode v : dashboard.get("templating").get("list")) {
            variables.put(v.get("name").asText(), v.path("definition").asText(""));
        }
        assertThat(variables).containsKeys("datasource", "instance", "target", "lun");
        assertThat(variables.get("instance")).startsWith("label_values(platter_").endsWith(", instance)");
        assertThat(variables.get("target")).contains("instance=~\"$instance\"").endsWith(", target)");
        assertThat(variables.get("lun")).contains("instance=~\"$instance\"", "target=~\"$target\"").endsWith(", lun)");
        for (String name : java.util.List.of("instance", "target", "lun")) {
            Matcher m = METRIC.matcher(variables.get(name));
            assertThat(m.find()).isTrue();
            assertThat(docs).as("the %s variable's metric is documented", name).contains("`" + m.group() + "`");
        }
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                String expr = target.get("expr").asText();
                String what = panel.get("title").asText() + ": " + expr;
                assertThat(expr).as(what).contains("instance=~\"$instance\"");
                if (expr.matches(".*platter_(scsi|lun)_.*")) {
                    assertThat(expr).as(what).contains("target=~\"$target\"", "lun=~\"$lun\"");
                    if (!expr.contains("histogram_quantile")) {
                        assertThat(target.get("legendFormat").asText()).as(what).contains("{{volume}}");
                    }
                }
            }
        }
    }
}
