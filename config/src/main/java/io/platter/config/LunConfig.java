package io.platter.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One logical unit of a target: which image file backs it and how.
 *
 * @param id           the LUN, 0..16383 (the flat space addressing range, SAM-5 §4.7.7)
 * @param image        the image file, absolute and normalized
 * @param sizeBytes    size to create the image with, a multiple of 512; 0 = not given (the image must exist)
 * @param format       on-disk format
 * @param provisioning thin or thick allocation
 */
public record LunConfig(int id, Path image, long sizeBytes, ImageFormat format, Provisioning provisioning) {

    /** Highest LUN the flat addressing method can carry. */
    public static final int MAX_ID = 16383;
    /** Image sizes are whole 512-byte blocks. */
    public static final int SIZE_GRANULARITY = 512;

    public LunConfig {
        if (id < 0 || id > MAX_ID) {
            throw new IllegalArgumentException("LUN id must be 0-" + MAX_ID + ", got " + id);
        }
        image = Objects.requireNonNull(image, "image").toAbsolutePath().normalize();
        if (sizeBytes < 0 || sizeBytes % SIZE_GRANULARITY != 0) {
            throw new IllegalArgumentException("size must be a non-negative multiple of 512, got " + sizeBytes);
        }
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(provisioning, "provisioning");
    }

    /** Whether a size was configured (otherwise the existing image's size is used). */
    public boolean hasSize() {
        return sizeBytes != 0;
    }
}
