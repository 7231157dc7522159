package io.platter.scsi.mode;

import io.platter.lun.PrivateFiles;
import io.platter.scsi.PersistedStateErrors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saved mode parameters in a small properties file (for example a sidecar next to the image),
 * created 0600. The properties format escapes every key and value ({@link Properties#store}:
 * line breaks, separators, non-ASCII), so no value can change the file's structure. A save
 * replaces the file atomically ({@link PrivateFiles#replace}: a temporary file with a random
 * name, forced, renamed over the old one, directory forced), so a crash leaves either the old or
 * the new values. A file that cannot be read costs the unit its saved values (ERROR through
 * {@link PersistedStateErrors}; the defaults apply), never the daemon its start. Not thread-safe
 * on its own: {@link ModeState} serialises saves.
 */
public final class FileModeStore implements ModeStore {

    private static final Logger log = LoggerFactory.getLogger(FileModeStore.class);

    private final Path file;

    public FileModeStore(Path file) {
        this.file = file;
    }

    @Override
    public Map<String, String> load() {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException | RuntimeException e) {
            PersistedStateErrors.record(log, file.toAbsolutePath(), "its saved mode parameters", e);
            return Map.of();
        }
        Map<String, String> out = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            out.put(key, p.getProperty(key));
        }
        return out;
    }

    @Override
    public void save(Map<String, String> values) throws IOException {
        Properties p = new Properties();
        p.putAll(values);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        p.store(text, "Platter saved mode parameters");   // ASCII only (non-ASCII escaped), so UTF-8 reads it alike
        PrivateFiles.replace(file, text.toByteArray());
    }
}
