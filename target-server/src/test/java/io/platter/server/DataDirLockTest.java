package io.platter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One daemon per data directory (issue 15, item 1); the second is told the first one's PID. */
class DataDirLockTest {

    @TempDir
    Path dir;

    @Test
    void aSecondHolderIsRefusedWithTheFirstOnesPid() throws Exception {
        String pid = Long.toString(ProcessHandle.current().pid());
        try (DataDirLock first = DataDirLock.acquire(dir)) {
            assertThat(Files.readString(first.file()).trim()).isEqualTo(pid);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first.file()))).isEqualTo("rw-------");
            assertThatThrownBy(() -> DataDirLock.acquire(dir))
                    .isInstanceOf(DataDirLock.HeldException.class)
                    .hasMessageContaining("data directory " + dir + " is served by platter PID " + pid);
            // The refused attempt opened and closed the file: the first lock must still hold.
            assertThatThrownBy(() -> DataDirLock.acquire(dir)).isInstanceOf(DataDirLock.HeldException.class);
            assertThat(Files.readString(first.file()).trim()).as("the refused one wrote nothing").isEqualTo(pid);
        }
        DataDirLock.acquire(dir).close(); // released: the next daemon gets it
    }

    @Test
    void aStaleFileOfADeadDaemonIsTakenOver() throws Exception {
        Files.writeString(dir.resolve(DataDirLock.LOCK_FILE), "999999999\n");
        try (DataDirLock lock = DataDirLock.acquire(dir)) {
            assertThat(Files.readString(lock.file()).trim()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        }
    }
}
