package io.platter.server.manage;

import io.platter.config.ImageFormat;
import io.platter.config.LunConfig;
import io.platter.config.Provisioning;
import io.platter.config.VolumeConfig;
import io.platter.lun.BlockDevice;
import io.platter.lun.ImageIdentity;
import io.platter.lun.image.ImageDrivers;
import io.platter.lun.image.ImageType;
import io.platter.lun.qcow2.BackingPolicy;
import io.platter.lun.qcow2.Qcow2FormatException;
import io.platter.server.ImageTypes;
import io.platter.server.manage.ManagedConfig.Mapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adopting an existing image file as a volume ({@code volume import}). An image to import may
 * have been written by anyone, an initiator included (a raw volume's bytes are the tenant's), so
 * nothing in it is trusted:
 * <ul>
 *   <li>its format is what the operator says ({@code --format}), never guessed from its first bytes;</li>
 *   <li>it must be an image file ({@code .img}, {@code .raw}, {@code .qcow2}) whose real path lies in
 *       the data directory: a management token then reaches no other file of the daemon's user;</li>
 *   <li>it must not be the file of a volume or LUN already, by real path or by inode (a symlink or a
 *       hard link to a served image would be a second LUN, with another identity, on the same data);</li>
 *   <li>a qcow2 backing file must be named relative, without {@code ..}, with its format recorded, and
 *       be a volume of the catalog of that format;</li>
 *   <li>the whole backing chain must consist of read-only templates: writes to a writable volume
 *       under an overlay would change what the overlay shows. A writable volume in the chain is
 *       refused unless the operator consents ({@code --make-template}); it then becomes a template
 *       (as {@link CloneManager} makes a clone's source one), which is refused while it is a LUN.
 *       A LUN image that is no volume is never a backing file.</li>
 * </ul>
 * A volume imported in place is marked so ({@code imported: in-place}): deleting it forgets it and
 * leaves the file unless the operator asks for the file too. On failure nothing is left: no copy,
 * no new sidecar, no configuration entry, no volume made a template.
 */
final class VolumeImport {
    private static final Logger LOG = LoggerFactory.getLogger(VolumeImport.class);
    /** The names an importable image file may end with. */
    static final List<String> IMAGE_SUFFIXES = List.of(".img", ".raw", ".qcow2");

    private final VolumeManager volumes;
    private final ManagedConfig config;
    private final Path dataDir;

    VolumeImport(VolumeManager volumes, ManagedConfig config, Path dataDir) {
        this.volumes = volumes;
        this.config = config;
        this.dataDir = dataDir;
    }

    /**
     * See {@link CloneManager#importVolume}; {@code makeTemplate} is the operator's consent that
     * writable volumes of the backing chain become read-only templates. Caller holds the config monitor.
     */
    Views.Volume run(String name, String file, ImageFormat format, boolean copy, boolean makeTemplate, String iqn,
                     int lun) {
        if (format == null) {
            throw ManagementException.badRequest("say the image's format (--format raw or --format qcow2): it is"
                    + " never guessed, as a raw image's first bytes are whatever its writer put there");
        }
        Path src = importable(file);
        Provisioning provisioning;
        try {
            provisioning = format == ImageFormat.QCOW2 ? Provisioning.THIN : probeProvisioning(src);
        } catch (IOException e) {
            throw ManagementException.failed("cannot read " + src + ": " + e.getMessage());
        }
        // A copy lands in the data directory, where its relative backing name will resolve.
        List<VolumeConfig> chain = new ArrayList<>();
        BackingPolicy policy = importPolicy(src, copy ? dataDirReal() : src.getParent(), chain);
        long size;
        try {
            size = validate(src, format, provisioning, policy);
        } catch (ManagementException e) {
            // A writable volume of the chain is the reason to give, not what opening it ran into (a
            // mapped volume's image is locked by its LUN): the policy named the chain before the open.
            requireTemplates(chain, makeTemplate);
            throw e;
        }
        List<VolumeConfig> toTemplates = requireTemplates(chain, makeTemplate);
        VolumeConfig v;
        if (copy) {
            v = volumes.newVolume(name, format, provisioning);
            try {
                volumes.runJob("import", name, Files.size(src), job -> ImageFiles.copySparse(src, v.image(), job));
            } catch (IOException e) {
                throw ManagementException.failed("cannot copy " + src + " to " + v.image() + ": " + e.getMessage());
            }
        } else {
            try {
                v = new VolumeConfig(name, src, format, provisioning, false, true);
            } catch (IllegalArgumentException e) {
                throw ManagementException.badRequest(e.getMessage());
            }
            if (config.volume(name).isPresent()) {
                throw ManagementException.conflict("volume " + name + " exists already");
            }
        }
        Path sidecar = ImageIdentity.sidecar(v.image());
        boolean hadIdentity = Files.exists(sidecar);
        try {
            if (copy) {
                validate(v.image(), format, provisioning, volumes.backingPolicy());
            }
            ImageIdentity.loadOrCreate(v.image());
            LunConfig mapping = iqn == null ? null : volumes.lunFor(iqn, lun, v, size);
            for (VolumeConfig t : toTemplates) {
                config.update(c -> ManagedConfig.withVolume(c, t.withTemplate(true)));
                LOG.info("volume {} is now a read-only template (backing file of imported {})", t.name(), name);
            }
            volumes.commitNew(v, mapping == null ? null : iqn, mapping);
        } catch (IOException | RuntimeException e) {
            if (copy) {
                VolumeManager.deleteImageFiles(v.image());
            } else if (!hadIdentity) {
                deleteQuietly(sidecar);
            }
            for (VolumeConfig t : toTemplates) {
                try {
                    if (config.volume(t.name()).map(VolumeConfig::template).orElse(false)) {
                        config.update(c -> ManagedConfig.withVolume(c, t));
                    }
                } catch (RuntimeException undo) {
                    e.addSuppressed(undo);
                }
            }
            if (e instanceof IOException) {
                throw ManagementException.failed("cannot import " + src + ": " + e.getMessage());
            }
            throw (RuntimeException) e;
        }
        LOG.info("volume {} imported from {} ({}, {})", name, src, format.word(), copy ? "copied" : "in place");
        return volumes.show(name);
    }

    /** The real path of {@code file}, checked as the class comment says. */
    private Path importable(String file) {
        Path given;
        try {
            given = Path.of(Objects.requireNonNullElse(file, "")).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw ManagementException.badRequest("bad file name: " + e.getMessage());
        }
        Path src;
        try {
            src = given.toRealPath();
        } catch (IOException e) {
            throw ManagementException.notFound("no image file " + given);
        }
        if (!Files.isRegularFile(src)) {
            throw ManagementException.notFound("no image file " + given);
        }
        Path top = dataDirReal();
        if (!src.startsWith(top)) {
            throw ManagementException.badRequest(given + (given.equals(src) ? "" : " (really " + src + ")")
                    + " is outside the data directory " + top + "; images are imported only from there:"
                    + " move or copy the file into it first");
        }
        String fileName = src.getFileName().toString();
        if (IMAGE_SUFFIXES.stream().noneMatch(fileName::endsWith)) {
            throw ManagementException.badRequest(src + " is not named like an image (" + String.join(", ", IMAGE_SUFFIXES)
                    + "); the data directory also holds the daemon's own files, which are never imported");
        }
        String already = volumeOfFile(src);
        if (already != null) {
            throw ManagementException.conflict(given + (given.equals(src) ? "" : " (really " + src + ")")
                    + " is already the image of " + already + "; one file is one volume");
        }
        return src;
    }

    /** The volume or LUN whose image is {@code file} (same real path, or the same inode), or null. */
    private String volumeOfFile(Path file) {
        for (VolumeConfig v : config.get().volumes()) {
            if (sameFile(v.image(), file)) {
                return "volume " + v.name();
            }
        }
        return config.get().targets().stream().flatMap(t -> t.luns().stream()
                        .filter(l -> sameFile(l.image(), file)).map(l -> "LUN " + l.id() + " of " + t.iqn()))
                .findFirst().orElse(null);
    }

    private static boolean sameFile(Path image, Path file) {
        try {
            return image.toAbsolutePath().normalize().equals(file) || (Files.exists(image) && Files.isSameFile(image, file));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The backing files an imported image may name: at its own level, a relative name without
     * {@code ..} resolved against {@code resolveDir}, format recorded, a catalog volume of that
     * format; the chain below it as the daemon opens it, where a file that is a LUN's image but no
     * volume is refused. Every volume of the chain is added to {@code chain}, top first.
     */
    private BackingPolicy importPolicy(Path src, Path resolveDir, List<VolumeConfig> chain) {
        BackingPolicy daemonPolicy = volumes.backingPolicy();
        return (image, name, format) -> {
            if (!image.equals(src)) {
                Path real = daemonPolicy.resolve(image, name, format);
                VolumeConfig below = config.get().volumes().stream().filter(v -> sameFile(v.image(), real))
                        .findFirst().orElse(null);
                if (below != null) {
                    chain.add(below);
                } else if (volumeOfFile(real) != null) {
                    throw new Qcow2FormatException("backing file " + real + " of " + image + " is the image of "
                            + volumeOfFile(real) + ", which initiators write; a backing chain may only hold"
                            + " read-only templates");
                }
                return real;
            }
            Path relative;
            try {
                relative = Path.of(name);
            } catch (InvalidPathException e) {
                throw new Qcow2FormatException("backing file name of " + image + " is not a path; refused");
            }
            if (relative.isAbsolute() || Stream.iterate(relative, p -> p != null, Path::getParent)
                    .anyMatch(p -> p.getFileName() != null && p.getFileName().toString().equals(".."))) {
                throw new Qcow2FormatException("backing file " + name + " of " + image + " is absolute or climbs"
                        + " with ..; an imported image may only name a template of the data directory, relative");
            }
            if (format == null) {
                throw new Qcow2FormatException("the backing file " + name + " of " + image + " has no recorded format;"
                        + " record it (qemu-img rebase -u -F raw|qcow2 -b " + name + ") and import again");
            }
            Path real = BackingPolicy.requireInside(dataDirReal(), resolveDir.resolve(relative), image);
            VolumeConfig t = config.get().volumes().stream().filter(v -> sameFile(v.image(), real)).findFirst()
                    .orElseThrow(() -> new Qcow2FormatException("backing file " + real + " of " + image
                            + " is no volume; import the template first"));
            if (!t.format().word().equals(format)) {
                throw new Qcow2FormatException("backing file " + real + " of " + image + " is recorded as " + format
                        + " but volume " + t.name() + " is " + t.format().word());
            }
            chain.add(t);
            return real;
        };
    }

    /**
     * The writable volumes of {@code chain}, which become templates: refused without the
     * operator's consent, and refused for a LUN (mapped read-write) even with it.
     */
    private List<VolumeConfig> requireTemplates(List<VolumeConfig> chain, boolean makeTemplate) {
        List<VolumeConfig> writable = chain.stream().filter(t -> !t.template()).distinct().toList();
        for (VolumeConfig t : writable) {
            Mapping m = config.mappingOf(t.image()).orElse(null);
            if (!makeTemplate) {
                throw ManagementException.conflict("the backing chain holds volume " + t.name() + ", a writable volume"
                        + (m == null ? "" : " (LUN " + m.lun().id() + " of " + m.iqn() + ")")
                        + ": its writes would change what the imported image shows. Add --make-template to make "
                        + t.name() + " a read-only template first" + (m == null ? "" : " (unmap it first)")
                        + "; nothing was imported");
            }
            if (m != null) {
                throw ManagementException.conflict("the backing file is volume " + t.name() + ", LUN " + m.lun().id()
                        + " of " + m.iqn() + "; a template must be read-only, so unmap it first; nothing was imported");
            }
        }
        return writable;
    }

    private Path dataDirReal() {
        try {
            return dataDir.toRealPath();
        } catch (IOException e) {
            throw ManagementException.failed("cannot resolve the data directory " + dataDir + ": " + e.getMessage());
        }
    }

    /** Thick when the raw driver for thick images recognises the file (fully allocated), else thin. */
    private static Provisioning probeProvisioning(Path raw) throws IOException {
        return ImageDrivers.driver(ImageType.RAW_THICK).probe(raw) ? Provisioning.THICK : Provisioning.THIN;
    }

    /** Opens an image read-only to check it (a qcow2 backing chain must exist and be allowed); its size. */
    private static long validate(Path image, ImageFormat format, Provisioning provisioning, BackingPolicy policy) {
        try (BlockDevice d = ImageDrivers.driver(ImageTypes.of(format, provisioning)).open(image, true, policy)) {
            return d.size();
        } catch (IOException e) {
            throw ManagementException.conflict("cannot use " + image + " as a " + format.word() + " image: "
                    + e.getMessage() + "; nothing was imported");
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", p, e.getMessage());
        }
    }
}
