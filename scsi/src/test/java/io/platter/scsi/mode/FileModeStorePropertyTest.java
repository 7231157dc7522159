package io.platter.scsi.mode;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;

/**
 * Saved mode parameters round-trip whatever their keys and values hold (issue 21 finding 1):
 * the properties format escapes line breaks, separators and every non-ASCII character, so no
 * value can add a key or change another.
 */
class FileModeStorePropertyTest {

    private final Path dir;

    FileModeStorePropertyTest() throws Exception {
        dir = Files.createTempDirectory("mode-store");
    }

    @AfterProperty
    void cleanUp() throws Exception {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Property(tries = 200)
    void anyPairsRoundTrip(@ForAll("pairs") Map<String, String> pairs) throws Exception {
        Path file = dir.resolve("lun0.img.mode");
        new FileModeStore(file).save(pairs);
        assertThat(new FileModeStore(file).load()).isEqualTo(pairs);
        assertThat(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1).chars())
                .allMatch(c -> c == '\n' || c >= 0x20 && c < 0x7f);
    }

    @Provide
    Arbitrary<Map<String, String>> pairs() {
        Arbitrary<String> text = Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(30),
                Arbitraries.strings().withChars(" \n\r\t=:#!\\\u0000\u00e9").withCharRange('a', 'c').ofMaxLength(20));
        return Arbitraries.maps(text, text).ofMaxSize(5);
    }
}
