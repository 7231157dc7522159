package io.platter.lun;

import java.io.IOException;

/** The one place where file-system {@link IOException}s become {@link BlockDeviceException}s. */
public final class IoErrors {

    private IoErrors() { }

    /**
     * Classifies {@code e}: out of space or quota becomes {@link BlockDeviceException.NoSpace},
     * anything else {@link BlockDeviceException.MediumError}; a BlockDeviceException passes through.
     * The JDK reports ENOSPC only as the strerror text, so that text is what is matched.
     */
    public static BlockDeviceException map(String context, IOException e) {
        if (e instanceof BlockDeviceException bde) {
            return bde;
        }
        if (isNoSpace(e)) {
            return new BlockDeviceException.NoSpace(context + ": " + e.getMessage(), e);
        }
        return new BlockDeviceException.MediumError(context + ": " + e.getMessage(), e);
    }

    private static boolean isNoSpace(IOException e) {
        if (e instanceof Libc.ErrnoException errno) {
            return errno.noSpace();
        }
        String message = e.getMessage();
        return message != null
                && (message.contains("No space left on device") || message.contains("Disk quota exceeded"));
    }
}
