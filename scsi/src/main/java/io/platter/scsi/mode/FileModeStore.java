package io.platter.scsi.mode;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Saved mode parameters in a small properties file (for example a sidecar next to the image).
 * A save writes a temporary file, forces it to disk and renames it over the old one, so a crash
 * leaves either the old or the new values. Not thread-safe on its own: {@link ModeState}
 * serialises saves.
 */
public final class FileModeStore implements ModeStore {

    private final Path file;

    public FileModeStore(Path file) {
        this.file = file;
    }

    @Override
    public Map<String, String> load() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
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
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "Platter saved mode parameters");
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
