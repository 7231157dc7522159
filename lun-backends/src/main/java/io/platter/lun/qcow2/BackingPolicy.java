package io.platter.lun.qcow2;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which backing file a qcow2 image may open (qcow2.txt "backing_file_offset" and the backing
 * file format name extension). The name is whatever the image's header says, and whoever wrote
 * the header chose it: an image from an untrusted source can name any host file, so every
 * caller that serves images to initiators opens them with a policy that confines the chain.
 */
@FunctionalInterface
public interface BackingPolicy {

    /**
     * The file to open as backing file {@code name} of {@code image}.
     *
     * @param image  the real path of the image whose header names the backing file
     * @param name   the backing file name as stored
     * @param format the backing format as stored ({@code raw} or {@code qcow2}), or null when the
     *               header records none (the format is then probed from the file's first bytes)
     * @throws Qcow2FormatException (or another IOException) when the backing file is refused
     */
    Path resolve(Path image, String name, String format) throws IOException;

    /**
     * Any file, absolute or relative to the image's directory, as qemu-img resolves it: for
     * images the operator made or checked (the {@code platter image} tool, tests).
     */
    BackingPolicy ANY = (image, name, format) -> besideImage(image, name);

    /**
     * Files whose real path (every symlink resolved) lies inside the directory {@code root},
     * named absolute or relative to the image's directory.
     */
    static BackingPolicy confinedTo(Path root) {
        return (image, name, format) -> requireInside(root, besideImage(image, name), image);
    }

    /** {@code name} resolved against the image's directory; an absolute name stays as it is. */
    static Path besideImage(Path image, String name) {
        Path dir = image.getParent();
        return dir == null ? Path.of(name) : dir.resolve(name);
    }

    /**
     * The real path of {@code file}, refused unless it is a regular file inside {@code root}
     * (compared as real paths, so neither a symlink nor {@code ..} leads out).
     */
    static Path requireInside(Path root, Path file, Path image) throws IOException {
        if (!Files.exists(file)) {
            throw new Qcow2FormatException("backing file " + file + " of " + image + " does not exist");
        }
        Path real = file.toRealPath();
        Path top = root.toRealPath();
        if (!real.startsWith(top) || real.equals(top) || !Files.isRegularFile(real)) {
            throw new Qcow2FormatException("backing file " + file + " of " + image + " is outside " + top
                    + "; refused (a backing file must be an image of the data directory)");
        }
        return real;
    }
}
