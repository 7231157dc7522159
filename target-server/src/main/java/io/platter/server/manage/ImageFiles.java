package io.platter.server.manage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongConsumer;

/**
 * Image files as plain files, for adopting existing images: a thin copy. (No format probing: an
 * image's format is what the operator says, never what its first bytes suggest.)
 */
final class ImageFiles {

    /** Bytes read per step of a copy; a step that is all zeros is left a hole. */
    private static final int STEP = 1 << 20;

    private ImageFiles() {
    }

    /**
     * Copies {@code from} to the new file {@code to}, leaving holes where {@code from} reads zeros
     * (so a sparse source stays sparse), and makes the copy durable. {@code progress} gets the
     * bytes copied so far. On failure the partial copy is deleted.
     */
    static void copySparse(Path from, Path to, LongConsumer progress) throws IOException {
        FileChannel created = FileChannel.open(to,   // 0600, whatever the umask
                java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                io.platter.lun.PrivateFiles.fileMode());
        try (FileChannel out = created; FileChannel in = FileChannel.open(from, StandardOpenOption.READ)) {
            long length = in.size();
            ByteBuffer buf = ByteBuffer.allocateDirect(STEP);
            for (long pos = 0; pos < length; ) {
                buf.clear().limit((int) Math.min(STEP, length - pos));
                while (buf.hasRemaining() && in.read(buf, pos + buf.position()) >= 0) {
                    // read the whole step
                }
                buf.flip();
                if (!zeros(buf)) {
                    while (buf.hasRemaining()) {
                        out.write(buf, pos + buf.position());
                    }
                }
                pos += buf.limit();
                progress.accept(pos);
            }
            out.truncate(length);
            if (out.size() < length) {
                out.write(ByteBuffer.allocate(1), length - 1);
            }
            out.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(to);
            throw e;
        }
    }

    private static boolean zeros(ByteBuffer b) {
        for (int i = b.position(); i < b.limit(); i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
