package io.platter.server;

import io.platter.config.ImageFormat;
import io.platter.config.LunConfig;
import io.platter.config.Provisioning;
import io.platter.config.VolumeConfig;
import io.platter.lun.image.ImageDriver;
import io.platter.lun.image.ImageDrivers;
import io.platter.lun.image.ImageType;

/**
 * The one mapping from the configuration's words (format, provisioning) to the driver table's
 * key: lun-backends knows nothing of the configuration, so the server translates here, once.
 */
public final class ImageTypes {

    private ImageTypes() {
    }

    /** qcow2 is thin whatever the provisioning says; raw follows it. */
    public static ImageType of(ImageFormat format, Provisioning provisioning) {
        return switch (format) {
            case QCOW2 -> ImageType.QCOW2;
            case RAW -> provisioning == Provisioning.THIN ? ImageType.RAW_THIN : ImageType.RAW_THICK;
        };
    }

    /** The driver of a volume. */
    public static ImageDriver driver(VolumeConfig v) {
        return ImageDrivers.driver(of(v.format(), v.provisioning()));
    }

    /** The driver of a LUN. */
    public static ImageDriver driver(LunConfig lun) {
        return ImageDrivers.driver(of(lun.format(), lun.provisioning()));
    }
}
