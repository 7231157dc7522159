package io.platter.config.catalog;

import io.platter.config.ConfigException;
import io.platter.config.ConfigLoader;
import io.platter.config.ConfigWriter;
import io.platter.config.PlatterConfig;
import io.platter.config.PrivateFiles;
import io.platter.config.ServerSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Catalog} of files in {@code <data-dir>/catalog/}: generation N is {@code catalog-N.yaml}
 * (six digits at least), a config-shaped YAML text without server settings ({@link ConfigWriter#objectsYaml}).
 *
 * <p>A commit writes a temporary file created O_EXCL|O_NOFOLLOW with mode 0600 (whatever the umask:
 * it holds CHAP secrets), forces it to disk, then hard-links it to its generation name, which
 * fails if that name exists (two writers cannot both commit generation N+1), removes the temporary
 * name and forces the directory. A crash leaves the previous generation as the newest, or the new one
 * complete. The newest {@value #KEEP} readable generations are kept; older ones are pruned. A
 * generation that cannot be read is renamed {@code .damaged}, reported at ERROR, and the next older
 * one is used; damaged files are kept for the operator.
 *
 * <p>Thread-safe: every method holds this object's monitor.
 */
public final class FileCatalog implements Catalog {
    private static final Logger LOG = LoggerFactory.getLogger(FileCatalog.class);

    /** How many readable generations are kept at least. */
    public static final int KEEP = 10;
    /** The catalog's directory under the data directory. */
    public static final String DIRECTORY = "catalog";

    /** The reserve's name: space a commit can have back when the file system is full. */
    static final String RESERVE = ".reserve";
    /** The reserve's size: room for dozens of generations. */
    static final int RESERVE_BYTES = 256 * 1024;
    private static final Pattern NAME = Pattern.compile("catalog-(\\d{1,18})\\.yaml(\\.damaged)?");

    private final Path dataDir;
    private final Path dir;

    private FileCatalog(Path dataDir) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.dir = this.dataDir.resolve(DIRECTORY);
    }

    /** The catalog of {@code dataDir} (nothing is created until the first commit). */
    public static FileCatalog of(Path dataDir) {
        return new FileCatalog(dataDir);
    }

    /** The directory of the generation files. */
    public Path directory() {
        return dir;
    }

    /** The file of generation {@code n}. */
    public Path file(long n) {
        return dir.resolve(String.format("catalog-%06d.yaml", n));
    }

    @Override
    public String location() {
        return dir.toString();
    }

    /** The empty objects of this data directory (generation 0). */
    public PlatterConfig empty() {
        return new PlatterConfig(PlatterConfig.CURRENT_VERSION,
                new ServerSettings(ServerSettings.defaultPortals(), dataDir, 0), List.of(), List.of());
    }

    @Override
    public synchronized Generation load() throws IOException {
        if (Files.isDirectory(dir)) {
            ensureReserve();
        }
        for (Entry e : entries()) {
            if (e.damaged) {
                continue;
            }
            try {
                return new Generation(e.number, read(e.file));
            } catch (ConfigException | IOException problem) {
                Path aside = e.file.resolveSibling(e.file.getFileName() + ".damaged");
                Files.move(e.file, aside, StandardCopyOption.ATOMIC_MOVE);
                PrivateFiles.fsyncDirectory(dir);
                Entry older = newestReadable();
                LOG.error("catalog generation {} ({}) cannot be read: {}; renamed to {}; {}", e.number, e.file,
                        problem.getMessage().replace('\n', ' '), aside.getFileName(), older == null
                                ? "no older generation is left: starting with an EMPTY catalog (restore one with"
                                        + " platter config restore)"
                                : "using generation " + older.number + " (" + older.file + ") instead");
            }
        }
        return new Generation(0, empty());
    }

    /** The newest entry that is not damaged, or null (not checked for readability). */
    private Entry newestReadable() throws IOException {
        return entries().stream().filter(e -> !e.damaged).findFirst().orElse(null);
    }

    /** Reads and checks one generation file. */
    private PlatterConfig read(Path file) throws IOException, ConfigException {
        return ConfigLoader.readObjects(ConfigLoader.readText(file), dataDir, file);
    }

    @Override
    public synchronized Generation commit(long basedOn, PlatterConfig objects) throws IOException {
        List<Entry> all = entries();
        Entry newest = all.stream().filter(e -> !e.damaged).findFirst().orElse(null);
        long newestNumber = newest == null ? 0 : newest.number;
        if (newestNumber != basedOn) {
            throw new StaleGenerationException(location(), basedOn, newestNumber);
        }
        long next = (all.isEmpty() ? 0 : all.get(0).number) + 1;
        Path target = file(next);
        String text = ConfigWriter.objectsYaml(objects, dataDir, "Platter catalog, generation " + next
                + " (based on " + basedOn + "), committed " + Instant.now() + ".\n"
                + "Written by the daemon: do not edit. See platter config export|backup|restore.");
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            write(next, target, text, basedOn);
        } catch (StaleGenerationException e) {
            throw e;
        } catch (IOException e) {
            // A full file system (a thin pool that ran out is a normal event) must not stop the very
            // change that frees space, such as deleting a volume: give back the reserve, try once more.
            if (!releaseReserve()) {
                throw e;
            }
            LOG.warn("catalog commit in {} failed ({}); released the catalog's {} KiB reserve and tried again",
                    dir, e.getMessage(), RESERVE_BYTES / 1024);
            write(next, target, text, basedOn);
        }
        PrivateFiles.fsyncDirectory(dir);
        forgetSecrets(next, ConfigWriter.secrets(objects));
        prune();
        ensureReserve();
        return new Generation(next, objects);
    }

    /** Writes generation {@code next} as {@code target}: temp file, fsync, link (never replaces). */
    private void write(long next, Path target, String text, long basedOn) throws IOException {
        Path tmp = dir.resolve(".catalog-" + next + "." + ProcessHandle.current().pid() + "." + System.nanoTime()
                + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, Set.<OpenOption>of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PrivateFiles.OWNER_ONLY))) {
                // The umask may have taken bits the attribute asked for: set 0600 exactly, before any data.
                Files.setPosixFilePermissions(tmp, PrivateFiles.OWNER_ONLY);
                ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                // link(2) never replaces: a second writer that got here first wins, this one is stale.
                Files.createLink(target, tmp);
            } catch (FileAlreadyExistsException e) {
                throw new StaleGenerationException(location(), basedOn, next);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Keeps {@value #RESERVE_BYTES} bytes allocated beside the generations (written, not sparse), so a
     * commit still fits once the file system is full. Best effort: without space it is made later.
     */
    private void ensureReserve() {
        Path reserve = dir.resolve(RESERVE);
        if (Files.exists(reserve)) {
            return;
        }
        Path tmp = dir.resolve(RESERVE + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, Set.<OpenOption>of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PrivateFiles.OWNER_ONLY))) {
                ByteBuffer zeros = ByteBuffer.allocate(RESERVE_BYTES);
                while (zeros.hasRemaining()) {
                    ch.write(zeros);
                }
                ch.force(true);
            }
            Files.move(tmp, reserve, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.debug("catalog reserve in {} not made now: {}", dir, e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a leftover temp file is harmless and named as such
            }
        }
    }

    /** Deletes the reserve; whether there was one to give back. */
    private boolean releaseReserve() {
        try {
            return Files.deleteIfExists(dir.resolve(RESERVE));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Removes older generations holding a CHAP secret the new one no longer has (a secret cleared or
     * replaced must be gone from disk, issue 21 finding 7): restoring them would bring it back too.
     */
    private void forgetSecrets(long current, Set<String> kept) throws IOException {
        List<Long> removed = new ArrayList<>();
        for (Entry e : entries()) {
            if (e.number >= current) {
                continue;
            }
            Optional<Set<String>> held = ConfigWriter.secrets(ConfigLoader.readText(e.file));
            if (held.isEmpty() || !kept.containsAll(held.get())) {
                Files.deleteIfExists(e.file);
                removed.add(e.number);
            }
        }
        if (!removed.isEmpty()) {
            PrivateFiles.fsyncDirectory(dir);
            LOG.info("catalog generations {} removed: they held a CHAP secret generation {} cleared or replaced",
                    removed, current);
        }
    }

    /** Removes readable generations beyond the newest {@link #KEEP}. */
    private void prune() throws IOException {
        List<Entry> readable = entries().stream().filter(e -> !e.damaged).toList();
        for (Entry old : readable.subList(Math.min(KEEP, readable.size()), readable.size())) {
            Files.deleteIfExists(old.file);
        }
        if (readable.size() > KEEP) {
            PrivateFiles.fsyncDirectory(dir);
        }
    }

    @Override
    public synchronized List<GenerationInfo> generations() throws IOException {
        List<GenerationInfo> out = new ArrayList<>();
        for (Entry e : entries()) {
            try {
                BasicFileAttributes a = Files.readAttributes(e.file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                out.add(new GenerationInfo(e.number, e.file, a.lastModifiedTime().toInstant(), a.size(), e.damaged));
            } catch (NoSuchFileException gone) {
                // pruned meanwhile
            }
        }
        return out;
    }

    @Override
    public synchronized String text(long generation) throws IOException {
        return ConfigLoader.readText(file(generation));
    }

    @Override
    public synchronized boolean exists() throws IOException {
        return !entries().isEmpty();
    }

    /** One generation file. */
    private record Entry(long number, Path file, boolean damaged) {
    }

    /** Every generation file, newest first (a damaged one before a readable one of the same number). */
    private List<Entry> entries() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches()) {
                    out.add(new Entry(Long.parseLong(m.group(1)), p, m.group(2) != null));
                }
            }
        }
        out.sort(Comparator.comparingLong(Entry::number).reversed()
                .thenComparing(e -> !e.damaged));
        return out;
    }
}
