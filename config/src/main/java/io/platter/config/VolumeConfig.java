package io.platter.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A volume: a named image file the daemon manages (created, snapshotted, cloned, resized through
 * the management API). A volume becomes a LUN when a target maps its image.
 *
 * @param name         the volume's name, {@link #NAME} (letters, digits, {@code . _ -}, up to 64)
 * @param image        the image file, absolute and normalized
 * @param format       on-disk format
 * @param provisioning thin or thick allocation
 * @param template     whether the volume is a read-only template that clones use as backing file
 * @param importedInPlace whether the image file was adopted where it was ({@code volume import}
 *                     without {@code --copy}), not made by Platter: deleting the volume forgets it
 *                     and leaves the file unless the operator asks for the file too
 */
public record VolumeConfig(String name, Path image, ImageFormat format, Provisioning provisioning,
                           boolean template, boolean importedInPlace) {

    /** What a volume name may look like: it also names the image file. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** The value of the config key {@code imported} for {@link #importedInPlace}. */
    public static final String IMPORTED_IN_PLACE = "in-place";

    public VolumeConfig {
        if (!NAME.matcher(Objects.requireNonNull(name, "name")).matches()) {
            throw new IllegalArgumentException("bad volume name \"" + name
                    + "\": use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        image = Objects.requireNonNull(image, "image").toAbsolutePath().normalize();
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(provisioning, "provisioning");
    }

    /** A volume whose image Platter made (not imported in place). */
    public VolumeConfig(String name, Path image, ImageFormat format, Provisioning provisioning, boolean template) {
        this(name, image, format, provisioning, template, false);
    }

    /** This volume under another name, its image at {@code newImage} (rename). */
    public VolumeConfig withName(String newName, Path newImage) {
        return new VolumeConfig(newName, newImage, format, provisioning, template, importedInPlace);
    }

    /** This volume marked as a template (or not). */
    public VolumeConfig withTemplate(boolean isTemplate) {
        return new VolumeConfig(name, image, format, provisioning, isTemplate, importedInPlace);
    }

    /** This volume marked as imported in place (or not). */
    public VolumeConfig withImportedInPlace(boolean inPlace) {
        return new VolumeConfig(name, image, format, provisioning, template, inPlace);
    }
}
