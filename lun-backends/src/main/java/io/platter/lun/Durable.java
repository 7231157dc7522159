package io.platter.lun;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Makes file-system metadata changes (creates, renames) survive a crash. */
final class Durable {

    private Durable() { }

    /**
     * fsyncs the directory holding {@code file}, so a file created or renamed into it stays
     * after a crash. Linux allows fsync on a directory opened read-only.
     */
    static void syncParent(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
