package io.platter.lun.image;

import java.util.function.LongConsumer;

/**
 * What a new image is made with. Drivers ignore what does not apply to them (a raw image has no
 * clusters and no backing file; a driver that cannot have a backing file refuses one).
 *
 * @param sizeBytes   the device size, a positive multiple of 512
 * @param clusterBits log2 of the allocation unit for formats that have one; 0 for the driver's default
 * @param backingFile the backing file name to record (stored as given, relative names resolve
 *                    against the new image's directory), or null for none
 * @param backingType the backing file's type, or null when there is no backing file
 * @param progress    told the bytes prepared so far while a long creation (thick allocation) runs
 */
public record CreateOptions(long sizeBytes, int clusterBits, String backingFile, ImageType backingType,
                            LongConsumer progress) {

    public CreateOptions {
        if (sizeBytes <= 0 || sizeBytes % 512 != 0) {
            throw new IllegalArgumentException("image size must be a positive multiple of 512: " + sizeBytes);
        }
        if ((backingFile == null) != (backingType == null)) {
            throw new IllegalArgumentException("a backing file needs its type, and only then");
        }
        progress = progress == null ? done -> { } : progress;
    }

    /** An image of {@code sizeBytes} with the driver's defaults, no backing file, no progress reports. */
    public static CreateOptions ofSize(long sizeBytes) {
        return new CreateOptions(sizeBytes, 0, null, null, null);
    }

    public CreateOptions withClusterBits(int bits) {
        return new CreateOptions(sizeBytes, bits, backingFile, backingType, progress);
    }

    public CreateOptions withBacking(String file, ImageType type) {
        return new CreateOptions(sizeBytes, clusterBits, file, type, progress);
    }

    public CreateOptions withProgress(LongConsumer p) {
        return new CreateOptions(sizeBytes, clusterBits, backingFile, backingType, p);
    }
}
