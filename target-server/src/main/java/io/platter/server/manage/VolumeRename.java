package io.platter.server.manage;

import io.platter.config.PrivateFiles;
import io.platter.config.VolumeConfig;
import io.platter.server.manage.ManagedConfig.Mapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code volume rename}: a volume gets a new name; its image and sidecars (identity, mode pages,
 * reservations) follow when the image is named after the volume in the data directory, while an
 * image imported in place under another name keeps its name.
 *
 * <p>Crash safety: the files get their new names as hard links first (then both names are
 * complete, one inode each, and the directory is synced), the configuration names the new files in
 * one atomic write (the commit point), and only then do the old names go. A crash before the commit
 * leaves the volume under its old name, complete; a crash after it, under the new name, complete.
 * At most a second name of the same files is left behind, which keeps a volume of that name from
 * being created until the operator removes it (the create says so). Renaming file by file
 * instead would leave a window with the image under one name and its identity under the other,
 * and the next start would give the LUN a new identity.
 *
 * <p>A mapped volume is refused: its open LUN keeps writing its sidecars by their old names. A
 * template with clones is refused: their qcow2 headers name its file. Runs under the management
 * lock ({@link VolumeManager}).
 */
final class VolumeRename {
    private static final Logger LOG = LoggerFactory.getLogger(VolumeRename.class);

    private final VolumeManager volumes;
    private final ManagedConfig config;
    private final Path dataDir;

    VolumeRename(VolumeManager volumes, ManagedConfig config, Path dataDir) {
        this.volumes = volumes;
        this.config = config;
        this.dataDir = dataDir;
    }

    Views.Volume run(String name, String newName) {
        VolumeConfig v = volumes.volume(name);
        if (name.equals(newName)) {
            throw ManagementException.badRequest("volume " + name + " has that name already");
        }
        Mapping m = config.mappingOf(v.image()).orElse(null);
        if (m != null) {
            throw ManagementException.conflict("volume " + name + " is LUN " + m.lun().id() + " of " + m.iqn()
                    + "; unmap it first (a served image keeps its name)");
        }
        List<String> clones = volumes.dependantsOf(v);
        if (!clones.isEmpty()) {
            throw ManagementException.conflict("volume " + name + " is the template of " + String.join(", ", clones)
                    + ", whose images name its file; flatten them first");
        }
        String suffix = ownSuffix(v);
        VolumeConfig renamed;
        try {
            renamed = v.withName(newName, suffix == null ? v.image() : dataDir.resolve(newName + "." + suffix));
        } catch (IllegalArgumentException e) {
            throw ManagementException.badRequest(e.getMessage());
        }
        if (config.volume(newName).isPresent()) {
            throw ManagementException.conflict("volume " + newName + " exists already");
        }
        List<Move> moves = suffix == null ? List.of() : moves(v.image(), renamed.image());
        List<Path> linked = new ArrayList<>();
        try {
            for (Move mv : moves) {
                Files.createLink(mv.to(), mv.from());
                linked.add(mv.to());
            }
            PrivateFiles.fsyncDirectory(dataDir);
            config.update(c -> c.withVolumes(c.volumes().stream()
                    .map(x -> x.name().equals(name) ? renamed : x).toList()));
        } catch (IOException | RuntimeException e) { // RuntimeException: also a file system without hard links
            linked.forEach(VolumeRename::deleteQuietly);
            if (e instanceof ManagementException me) {
                throw me;
            }
            throw ManagementException.failed("cannot rename " + name + " to " + newName + ": " + e
                    + "; nothing was changed");
        }
        moves.forEach(mv -> deleteQuietly(mv.from()));
        try {
            PrivateFiles.fsyncDirectory(dataDir);
        } catch (IOException e) {
            LOG.warn("cannot sync {}: {}", dataDir, e.getMessage());
        }
        LOG.info("volume {} renamed to {}{}", name, newName,
                suffix == null ? " (its image " + v.image() + " keeps its name)" : "");
        return volumes.view(renamed);
    }

    /** A file's old and new name. */
    private record Move(Path from, Path to) {
    }

    /** The files of {@code image} that exist, each with its name beside {@code newImage}; none may exist there. */
    private static List<Move> moves(Path image, Path newImage) {
        List<Path> from = VolumeManager.imageFiles(image);
        List<Path> to = VolumeManager.imageFiles(newImage);
        List<Move> moves = new ArrayList<>();
        for (int i = 0; i < from.size(); i++) {
            if (Files.exists(to.get(i), LinkOption.NOFOLLOW_LINKS)) {
                throw ManagementException.conflict(to.get(i) + " exists already but is no volume; move it away");
            }
            if (Files.exists(from.get(i), LinkOption.NOFOLLOW_LINKS)) {
                moves.add(new Move(from.get(i), to.get(i)));
            }
        }
        return moves;
    }

    /**
     * The extension of {@code v}'s image when it is {@code <data dir>/<name>.<ext>} and Platter made
     * it, else null: a file imported in place keeps the name its owner gave it.
     */
    private String ownSuffix(VolumeConfig v) {
        if (v.importedInPlace()) {
            return null;
        }
        for (String ext : List.of("qcow2", "img", "raw")) {
            if (v.image().equals(dataDir.resolve(v.name() + "." + ext))) {
                return ext;
            }
        }
        return null;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", p, e.getMessage());
        }
    }
}
