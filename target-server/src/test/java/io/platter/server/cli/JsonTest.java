package io.platter.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** The CLI's lean JSON codec gives what Jackson's ObjectMapper gives, and nothing but a value or an IOException. */
class JsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void readsTheTreeObjectMapperReads() throws Exception {
        String[] docs = {
            "{\"name\":\"v1\",\"sizeBytes\":1073741824,\"lun\":-1,\"template\":false,\"backing\":null,"
                    + "\"snapshots\":[{\"id\":\"1\",\"vmClock\":12.5,\"tags\":[]},{}],\"big\":123456789012345678901234567890,"
                    + "\"nested\":{\"a\":{\"b\":[[1,2],[3,{\"c\":\"\\u00e9\\n\"}]]}},\"max\":9223372036854775807}",
            "[]", "[{\"target\":\"iqn.2026-12.io.platter:t\",\"luns\":[0,1,2]}]", "\"text\"", "42", "true", "null", "{}"};
        for (String doc : docs) {
            JsonNode ours = Json.read(doc.getBytes(StandardCharsets.UTF_8));
            JsonNode theirs = MAPPER.readTree(doc);
            assertThat(ours).as(doc).isEqualTo(theirs);
            assertThat(ours.toString()).isEqualTo(theirs.toString());
        }
    }

    @Test
    void writesWhatObjectMapperWrites() throws Exception {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("name", "v\"1\\ é\n");
        args.put("lun", 3);
        args.put("size", 5_000_000_000L);
        args.put("force", true);
        args.put("volumes", List.of("a", "b"));
        args.put("nested", Map.of("k", List.of()));
        args.put("nothing", null);
        assertThat(new String(Json.write(args), StandardCharsets.UTF_8)).isEqualTo(MAPPER.writeValueAsString(args));
    }

    @Test
    void refusesWhatIsNotOneJsonDocument() {
        for (String bad : new String[] {"", "{", "[1,", "{\"a\" 1}", "{} {}", "nul", "[1]]", "<html>"}) {
            assertThat(catchThrowable(() -> Json.read(bad.getBytes(StandardCharsets.UTF_8)))).as(bad)
                    .isInstanceOf(IOException.class);
        }
    }

    @Property
    void anyBytesGiveAValueOrAnIOException(@ForAll byte[] bytes) {
        try {
            assertThat(Json.read(bytes)).isNotNull();
        } catch (IOException expected) {
            assertThat(expected).isNotNull();
        }
    }

    /** Jackson's own nesting limit (StreamReadConstraints) stops deeper documents with an IOException. */
    @Property
    void deepNestingCostsNoStack(@ForAll("depths") int depth) throws IOException {
        byte[] doc = ("[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.US_ASCII);
        assertThat(Json.read(doc).isArray()).isTrue();
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Integer> depths() {
        return net.jqwik.api.Arbitraries.integers().between(1, 400);
    }
}
