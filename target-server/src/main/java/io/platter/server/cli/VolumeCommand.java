package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code platter volume ...}: image files managed by the daemon. */
@Command(name = "volume", mixinStandardHelpOptions = true,
        description = "Create, list, resize, rename, flatten, import and delete volumes.",
        subcommands = {VolumeCommand.Create.class, VolumeCommand.ListVolumes.class, VolumeCommand.Show.class,
                VolumeCommand.Resize.class, VolumeCommand.Rename.class, VolumeCommand.Delete.class,
                VolumeCommand.Flatten.class, VolumeCommand.Import.class})
public final class VolumeCommand extends CommandGroup {

    static final String[][] COLUMNS = {{"NAME", "name"}, {"FORMAT", "format"}, {"PROVISIONING", "provisioning"},
            {"SIZE", "sizeBytes"}, {"ALLOCATED", "allocatedBytes"}, {"TARGET", "target"}, {"LUN", "lun"},
            {"STATE", "state"}, {"SNAPSHOTS", "snapshots"}, {"TEMPLATE", "template"}, {"BACKING", "backing"}};

    /** What {@code volume show} prints, in this order. */
    static final String[][] SHOW_FIELDS = {{"name", "name"}, {"format", "format"}, {"provisioning", "provisioning"},
            {"size", "sizeBytes"}, {"allocated", "allocatedBytes"}, {"image", "image"}, {"template", "template"},
            {"backing", "backing"}, {"target", "target"}, {"lun", "lun"}, {"snapshots", "snapshots"}};

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a volume (and map it).")
    static final class Create extends ApiCommand {
        @Parameters(paramLabel = "NAME", description = "the new volume's name") String name;
        @Option(names = "--size", required = true, paramLabel = "SIZE",
                description = "e.g. 10G or 10GiB (2^30 bytes), 10GB (10^9 bytes), 512M; see docs/cli-sizes.md") String size;
        @Option(names = "--format", paramLabel = "qcow2|raw", description = "default qcow2") String format;
        @Option(names = "--provisioning", paramLabel = "thin|thick", description = "default thin") String provisioning;
        @Option(names = "--target", paramLabel = "IQN", description = "map it into this target") String target;
        @Option(names = "--lun", paramLabel = "N", description = "at this LUN (default: lowest free)") Integer lun;

        @Override String operation() {
            return "volume/create";
        }

        @Override Map<String, Object> args() {
            lunNeedsTarget(lun, target);
            return map("name", name, "size", size, "format", format, "provisioning", provisioning,
                    "target", target, "lun", lun);
        }

        @Override boolean showsProgress() {
            return "thick".equals(provisioning);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            out.println("volume " + r.path("name").asText() + " created: " + human(r.path("sizeBytes").asLong())
                    + " " + r.path("format").asText() + " " + r.path("provisioning").asText()
                    + (r.path("target").isTextual() ? ", LUN " + r.path("lun").asInt() + " of " + r.path("target").asText() : ""));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List volumes.")
    static final class ListVolumes extends ApiCommand {
        @Override String operation() {
            return "volume/list";
        }

        @Override Map<String, Object> args() {
            return map();
        }

        @Override void print(JsonNode r, PrintWriter out) {
            table(out, r, COLUMNS);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one volume.")
    static final class Show extends ApiCommand {
        @Parameters(paramLabel = "NAME", description = "the volume") String name;

        @Override String operation() {
            return "volume/show";
        }

        @Override Map<String, Object> args() {
            return map("name", name);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            fields(out, r, SHOW_FIELDS);
        }
    }

    @Command(name = "resize", mixinStandardHelpOptions = true,
            description = "Change a volume's size, online; initiators see CAPACITY DATA HAS CHANGED.")
    static final class Resize extends ApiCommand {
        @Parameters(paramLabel = "NAME", description = "the volume") String name;
        @Option(names = "--size", required = true, paramLabel = "SIZE",
                description = "The new size (20G), or a change of the current one: +10G grows, -1G shrinks.")
        String size;
        @Option(names = "--force", description = "allow shrinking (destroys data past the new end)") boolean force;

        @Override String operation() {
            return "volume/resize";
        }

        @Override Map<String, Object> args() {
            return map("name", name, "size", size, "force", force);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            out.println("volume " + r.path("name").asText() + " is now " + human(r.path("sizeBytes").asLong()));
        }
    }

    @Command(name = "rename", mixinStandardHelpOptions = true,
            description = {"Rename an unmapped volume; its image and sidecar files get the new name.",
                    "A crash leaves the volume complete under one of the two names."})
    static final class Rename extends ApiCommand {
        @Parameters(index = "0", paramLabel = "OLD", description = "The volume's name now.") String name;
        @Parameters(index = "1", paramLabel = "NEW", description = "Its new name.") String newName;

        @Override String operation() {
            return "volume/rename";
        }

        @Override Map<String, Object> args() {
            return map("name", name, "newName", newName);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            out.println("volume " + name + " renamed to " + r.path("name").asText() + " (image "
                    + r.path("image").asText() + ")");
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = {"Delete a volume and the image"
            + " Platter made for it.",
            "A volume imported in place, or whose image lies outside the data directory, is forgotten and its"
            + " file left where it is unless --delete-file is given. A volume that another volume uses as"
            + " backing file is never deleted."})
    static final class Delete extends ApiCommand {
        @Parameters(paramLabel = "NAME", description = "the volume") String name;
        @Option(names = "--force", description = "unmap it first if it is mapped") boolean force;
        @Option(names = "--delete-file",
                description = "delete the image file too, also when it was imported in place")
        boolean deleteFile;
        @Option(names = "--outside-data-dir",
                description = "with --delete-file: allow deleting a file outside the data directory (refused otherwise)")
        boolean outsideDataDir;

        @Override String operation() {
            return "volume/delete";
        }

        @Override Map<String, Object> args() {
            return map("name", name, "force", force, "deleteFile", deleteFile, "outsideDataDir", outsideDataDir);
        }

        @Override void print(JsonNode r, PrintWriter out) {
            done(r, out);
        }
    }

    @Command(name = "flatten", mixinStandardHelpOptions = true,
            description = "Copy into a clone what it reads from its template, online, and drop the backing file.")
    static final class Flatten extends ApiCommand {
        @Parameters(paramLabel = "NAME", description = "the clone") String name;

        @Override String operation() {
            return "volume/flatten";
        }

        @Override Map<String, Object> args() {
            return map("name", name);
        }

        @Override boolean showsProgress() {
            return true;
        }

        @Override void print(JsonNode r, PrintWriter out) {
            out.println("volume " + r.path("name").asText() + " flattened: no backing file, "
                    + human(r.path("allocatedBytes").asLong()) + " allocated");
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Adopt an image file of the data directory (.img, .raw or .qcow2) as a volume,"
                    + " in place or copied with --copy.",
                    "A qcow2 image may only be backed by a volume, named relative, with its format recorded;"
                            + " every volume of its backing chain must be a read-only template (--make-template"
                            + " makes a writable one a template, if it is not mapped)."})
    static final class Import extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "the new volume's name") String name;
        @Parameters(index = "1", paramLabel = "FILE", description = "the image file") java.nio.file.Path file;
        @Option(names = "--format", required = true, paramLabel = "raw|qcow2",
                description = "the image's format (never guessed)") String format;
        @Option(names = "--copy", description = "copy it (thin) into the data directory instead of using it in place")
        boolean copy;
        @Option(names = "--make-template",
                description = "make writable volumes of its backing chain read-only templates (refused otherwise)")
        boolean makeTemplate;
        @Option(names = "--target", paramLabel = "IQN", description = "map it into this target") String target;
        @Option(names = "--lun", paramLabel = "N", description = "at this LUN (default: lowest free)") Integer lun;

        @Override String operation() {
            return "volume/import";
        }

        @Override Map<String, Object> args() {
            lunNeedsTarget(lun, target);
            return map("name", name, "file", file.toAbsolutePath().normalize().toString(), "format", format,
                    "copy", copy, "makeTemplate", makeTemplate, "target", target, "lun", lun);
        }

        @Override boolean showsProgress() {
            return copy;
        }

        @Override void print(JsonNode r, PrintWriter out) {
            out.println("volume " + r.path("name").asText() + " imported: " + human(r.path("sizeBytes").asLong())
                    + " " + r.path("format").asText() + " at " + r.path("image").asText()
                    + (r.path("target").isTextual() ? ", LUN " + r.path("lun").asInt() + " of " + r.path("target").asText() : ""));
        }
    }
}
