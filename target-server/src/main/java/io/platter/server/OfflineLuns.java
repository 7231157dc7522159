package io.platter.server;

import io.netty.buffer.PooledByteBufAllocator;
import io.platter.config.LunConfig;
import io.platter.lun.BlockDevice;
import io.platter.lun.ImageIdentity;
import io.platter.scsi.LogicalUnit;
import io.platter.scsi.LunIdentity;
import io.platter.scsi.mode.ModeStore;
import io.platter.scsi.reservation.ReservationStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's helpers for LUNs whose image cannot be opened ({@link Daemon#mapLunOrOffline}): the
 * reason in the operator's words, the identity an offline LUN shows, and what a retry needs.
 */
final class OfflineLuns {

    private static final Logger LOG = LoggerFactory.getLogger(OfflineLuns.class);

    private OfflineLuns() {
    }

    /**
     * What a retry of an offline LUN needs.
     *
     * @param lun        its configuration, to open the image again
     * @param savedState whether the offline unit read the saved mode pages and reservations beside
     *                   the image; if not, the LUN is mapped anew when the image opens
     */
    record Retry(LunConfig lun, boolean savedState) {
    }

    /**
     * The identity of a LUN whose image cannot be opened: the one persisted beside the image (so
     * the NAA and serial do not change when the LUN comes back), else one derived from the image's
     * path, the same at every start, which the image gets when it opens
     * ({@link ImageIdentity#loadOrCreate(Path, UUID)}). No file is created for an image that is not there.
     */
    static LunIdentity identity(Path image) {
        try {
            var saved = ImageIdentity.find(image);
            if (saved.isPresent()) {
                return new LunIdentity(saved.get());
            }
        } catch (IOException e) {
            LOG.error("{}: {}", ImageIdentity.sidecar(image), describe(e));
        }
        return new LunIdentity(UUID.nameUUIDFromBytes(("platter-offline-lun:" + image.toAbsolutePath().normalize())
                .getBytes(StandardCharsets.UTF_8)));
    }

    /** An offline unit whose mode pages and reservations start from their defaults and are not saved. */
    static LogicalUnit withoutSavedState(LunIdentity identity, String reason, Executor ioExecutor) {
        try {
            return LogicalUnit.offline(identity, reason, ioExecutor, PooledByteBufAllocator.DEFAULT,
                    ModeStore.inMemory(), ReservationStore.NONE);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the in-memory stores read nothing
        }
    }

    /** Why an image could not be opened, in one line for the operator. */
    static String describe(Throwable e) {
        if (e instanceof NoSuchFileException f) {
            return f.getFile() + " does not exist";
        }
        if (e instanceof AccessDeniedException f) {
            return "permission denied on " + f.getFile();
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return (f.getFile() == null ? "" : f.getFile() + ": ") + f.getReason();
        }
        String message = e.getMessage();
        String text = message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
        if (!(e instanceof IOException)) {
            text = e.getClass().getSimpleName() + ": " + text;
        }
        return text.replace('\n', ' ');
    }

    static void close(BlockDevice device) {
        try {
            device.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("closing {} failed: {}", device, describe(e));
        }
    }
}
