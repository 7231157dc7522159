package io.platter.lun;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;

/**
 * The persistent identity of an image: a UUID kept in a sidecar text file
 * {@code <image file name>.id} ({@code uuid=<uuid>}) next to the image. The SCSI layer derives
 * the LUN's NAA identifier and serial number from it, so it must never change once created.
 */
public final class ImageIdentity {

    static final String SUFFIX = ".id";
    private static final String KEY = "uuid=";

    private ImageIdentity() { }

    /** The sidecar file holding the identity of {@code image}. */
    public static Path sidecar(Path image) {
        return image.resolveSibling(image.getFileName() + SUFFIX);
    }

    /**
     * Returns the UUID of {@code image}, creating and persisting a random one on first use.
     *
     * <p>Creation is crash-safe: the id is written to a temporary file, fsynced, linked into place
     * (which fails if another process got there first, whose id then wins) and the directory is
     * fsynced, so a crash leaves either no sidecar or a complete one. A malformed sidecar is an
     * error, never silently replaced: that would change the LUN's identity.
     */
    public static UUID loadOrCreate(Path image) throws IOException {
        return loadOrCreate(image, UUID.randomUUID());
    }

    /**
     * Like {@link #loadOrCreate(Path)}, but persists {@code proposed} when the image has no
     * identity yet: the identity a LUN showed while its image could not be opened (and so had no
     * sidecar to read) stays its identity once the image opens.
     */
    public static synchronized UUID loadOrCreate(Path image, UUID proposed) throws IOException {
        Path sidecar = sidecar(image);
        if (Files.exists(sidecar)) {
            return load(sidecar);
        }
        UUID fresh = proposed;
        Path temp = Files.createTempFile(sidecar.toAbsolutePath().getParent(), "." + sidecar.getFileName(), ".tmp",
                PrivateFiles.fileMode());   // 0600; the link below keeps the mode
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer text = ByteBuffer.wrap((KEY + fresh + "\n").getBytes(StandardCharsets.US_ASCII));
                while (text.hasRemaining()) {
                    ch.write(text);
                }
                ch.force(true);
            }
            if (!publish(temp, sidecar)) {
                return load(sidecar);
            }
            Durable.syncParent(sidecar);
            return fresh;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Moves {@code temp} into place without replacing; false if {@code target} already exists. */
    private static boolean publish(Path temp, Path target) throws IOException {
        try {
            Files.createLink(target, temp); // link(2): atomic, never replaces
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException | IOException e) {
            // File systems without hard links: rename(2) is atomic but replaces a racing winner,
            // which the in-process lock makes a cross-process race only.
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        }
    }

    /** The identity persisted beside {@code image}; empty when it has none (nothing is created). */
    public static java.util.Optional<UUID> find(Path image) throws IOException {
        Path sidecar = sidecar(image);
        return Files.exists(sidecar) ? java.util.Optional.of(load(sidecar)) : java.util.Optional.empty();
    }

    private static UUID load(Path sidecar) throws IOException {
        List<String> lines = Files.readAllLines(sidecar, StandardCharsets.US_ASCII);
        for (String line : lines) {
            String trimmed = line.strip();
            if (trimmed.startsWith(KEY)) {
                String text = trimmed.substring(KEY.length()).strip();
                try {
                    UUID uuid = UUID.fromString(text);
                    if (uuid.toString().equalsIgnoreCase(text)) { // fromString accepts short forms
                        return uuid;
                    }
                } catch (IllegalArgumentException e) {
                    // reported below
                }
                throw new IOException(sidecar + ": malformed uuid line '" + trimmed + "'");
            }
        }
        throw new IOException(sidecar + ": no 'uuid=' line; refusing to invent a new identity");
    }
}
