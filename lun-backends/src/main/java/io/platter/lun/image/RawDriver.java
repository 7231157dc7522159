package io.platter.lun.image;

import io.platter.lun.BlockDevice;
import io.platter.lun.RawImage;
import io.platter.lun.qcow2.BackingPolicy;
import java.io.IOException;
import java.nio.file.Path;

/** Raw images ({@link RawImage}), thick or thin: byte {@code n} of the device is byte {@code n} of the file. */
record RawDriver(boolean thin) implements ImageDriver {

    @Override
    public ImageType type() {
        return thin ? ImageType.RAW_THIN : ImageType.RAW_THICK;
    }

    /** {@inheritDoc} Refuses a backing file: a raw image has nowhere to record one. */
    @Override
    public BlockDevice create(Path image, CreateOptions options) throws IOException {
        if (options.backingFile() != null) {
            throw new IllegalArgumentException("a raw image cannot have a backing file");
        }
        return RawImage.create(image, options.sizeBytes(), !thin, options.progress());
    }

    @Override
    public BlockDevice open(Path image, boolean readOnly, BackingPolicy backing) throws IOException {
        return RawImage.open(image, readOnly, thin);
    }

    /** {@inheritDoc} Opens read-only and lets the file's allocation decide, as {@link RawImage#open(Path, boolean)} does. */
    @Override
    public boolean probe(Path image) throws IOException {
        try (RawImage raw = RawImage.open(image, true)) {
            return raw.thin() == thin;
        }
    }
}
