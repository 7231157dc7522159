package io.platter.lun.image;

import io.platter.lun.BlockDevice;
import java.io.IOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The driver table: one {@link ImageDriver} per {@link ImageType}. The only place that names
 * the image implementation classes; everything above asks here.
 */
public final class ImageDrivers {

    private static final Map<ImageType, ImageDriver> DRIVERS = new EnumMap<>(Map.of(
            ImageType.RAW_THICK, new RawDriver(false),
            ImageType.RAW_THIN, new RawDriver(true),
            ImageType.QCOW2, new Qcow2Driver()));

    private ImageDrivers() {
    }

    /** The driver of {@code type}; every type has one. */
    public static ImageDriver driver(ImageType type) {
        return DRIVERS.get(type);
    }

    /** The snapshot capability of an open device, when its driver offers one. */
    public static Optional<ImageSnapshots> snapshots(BlockDevice device) {
        for (ImageDriver d : DRIVERS.values()) {
            Optional<ImageSnapshots> s = d.snapshots(device);
            if (s.isPresent()) {
                return s;
            }
        }
        return Optional.empty();
    }

    /**
     * Takes snapshot {@code name} of every member at one crash-consistent instant, as
     * {@link ImageDriver#createSnapshotGroup} says; all members must come from one driver.
     */
    public static void createSnapshotGroup(List<ImageSnapshots> members, String name) throws IOException {
        if (members.isEmpty()) {
            return;
        }
        ImageType type = members.get(0).type();
        if (members.stream().anyMatch(m -> m.type() != type)) {
            throw new IllegalArgumentException("a group snapshot needs images of one type");
        }
        driver(type).createSnapshotGroup(members, name);
    }
}
