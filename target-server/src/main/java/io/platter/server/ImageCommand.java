package io.platter.server;

import io.platter.lun.BlockDeviceException;
import io.platter.lun.qcow2.Qcow2Check;
import io.platter.server.cli.CommandGroup;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code platter image}: offline tools for image files. */
@Command(name = "image", mixinStandardHelpOptions = true, description = "Offline tools for image files.",
        subcommands = {ImageCommand.Check.class})
final class ImageCommand extends CommandGroup {

    /**
     * {@code platter image check FILE}: the qcow2 consistency check, with qemu-img check's exit
     * codes (0 clean, 1 not checkable, 2 corruptions, 3 leaked clusters only). With
     * {@code -r leaks} it first repairs leaked clusters (like {@code qemu-img check -r leaks}) and
     * the exit code describes the image after the repair.
     */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check a qcow2 image for leaked clusters and corruptions (like qemu-img check). "
                    + "An image a daemon or QEMU is writing is refused unless -U is given.")
    static final class Check implements Callable<Integer> {

        static final int EXIT_ERROR = 1;
        static final int EXIT_CORRUPT = 2;
        static final int EXIT_LEAKS = 3;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "the qcow2 image")
        Path file;

        /** What {@code -r} may repair; only leaks (refcounts above the references) so far. */
        enum RepairMode { leaks }

        @Option(names = {"-r", "--repair"}, paramLabel = "leaks",
                description = "repair leaked clusters (refcount fixes) before reporting; only 'leaks' is supported")
        RepairMode repair;

        @Option(names = {"-U", "--force-share"},
                description = "check even an image in use (like qemu-img -U); writes in flight may then show as errors")
        boolean forceShare;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Qcow2Check.Report report;
            if (forceShare && repair != null) {
                spec.commandLine().getErr().println("platter: -U reads an image in use; it cannot be combined with -r");
                return EXIT_ERROR;
            }
            try {
                if (repair == RepairMode.leaks) {
                    Qcow2Check.Repair r = Qcow2Check.repairLeaks(file);
                    r.found().problems().forEach(out::println);
                    out.println("The following inconsistencies were found and repaired:");
                    out.println();
                    out.println("    " + r.leaksFixed() + " leaked clusters");
                    out.println("    0 corruptions");
                    out.println();
                    out.println("Double checking the fixed image now...");
                    report = r.after();
                } else {
                    report = Qcow2Check.check(file, forceShare);
                }
            } catch (BlockDeviceException e) {
                spec.commandLine().getErr().println("platter: cannot check " + file + ": " + e.getMessage());
                return EXIT_ERROR;
            }
            report.problems().forEach(out::println);
            if (report.clean()) {
                out.println("No errors were found on the image (" + report.referencedClusters() + " clusters in use).");
                return 0;
            }
            out.println(report.corruptions() + " errors were found on the image.");
            out.println(report.leaks() + " leaked clusters were found on the image.");
            return report.corruptions() > 0 ? EXIT_CORRUPT : EXIT_LEAKS;
        }
    }
}
