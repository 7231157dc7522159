package io.platter.tests;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The layer rules of DESIGN.md: scsi knows no iSCSI/Netty channels, lun no SCSI, config nothing. */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importPlatter() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.platter.scsi", "io.platter.lun", "io.platter.config",
                        "io.platter.iscsi", "io.platter.server");
    }

    @Test
    void theLayersAreOnTheClassPath() {
        assertThat(classes.stream().map(c -> c.getPackageName()))
                .as("imported production classes")
                .anyMatch(p -> p.startsWith("io.platter.scsi"))
                .anyMatch(p -> p.startsWith("io.platter.lun"));
    }

    @Test
    void scsiKnowsNoTransportNorServerNorConfig() {
        mustNotDependOn("io.platter.scsi..", "io.netty.channel..", "io.netty.handler..", "io.platter.server..",
                "io.platter.config..", "io.platter.iscsi..").check(classes);
    }

    @Test
    void lunBackendsKnowNoScsi() {
        mustNotDependOn("io.platter.lun..", "io.platter.scsi..", "io.platter.server..", "io.platter.iscsi..",
                "io.platter.config..").check(classes);
    }

    @Test
    void configDependsOnNothingElseOfPlatter() {
        ArchRule rule = noClasses().that().resideInAPackage("io.platter.config..")
                .should().dependOnClassesThat(resideInAPackage("io.platter..")
                        .and(not(resideInAnyPackage("io.platter.config.."))))
                .allowEmptyShould(true);
        rule.check(classes);
    }

    /**
     * The server asks the driver table (io.platter.lun.image) for images and their capabilities;
     * it never names an image implementation class, so a new driver (a network block backend)
     * needs no change above the table.
     */
    @Test
    void theServerKnowsNoImageImplementation() {
        imageImplementationsBehindTheDriverTable("io.platter.server..").check(classes);
    }

    /** That rule does catch a class that names an implementation. */
    @Test
    void theImageRuleDetectsAViolation() {
        JavaClasses self = new ClassFileImporter().importClasses(NamesAnImplementation.class);

        assertThatThrownBy(() -> imageImplementationsBehindTheDriverTable("io.platter.tests..").check(self))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("RawImage");
    }

    /** Does what the server must not. */
    static final class NamesAnImplementation {
        static long allocated(java.nio.file.Path p) throws java.io.IOException {
            try (io.platter.lun.RawImage raw = io.platter.lun.RawImage.open(p, true)) {
                return raw.allocatedBytes();
            }
        }
    }

    private static ArchRule imageImplementationsBehindTheDriverTable(String layer) {
        return noClasses().that().resideInAPackage(layer)
                .should().dependOnClassesThat().belongToAnyOf(
                        io.platter.lun.RawImage.class, io.platter.lun.qcow2.Qcow2Image.class)
                .allowEmptyShould(true);
    }

    /**
     * The logical unit owns its medium's lifecycle (issue 14): the daemon, management and the
     * transport ask the unit to resize, replace the contents or report the thin pool's threshold;
     * they never change a {@code BlockDevice}'s medium nor raise a unit attention themselves, so
     * the medium fence, the task aborts and the unit attentions cannot be forgotten.
     */
    @Test
    void onlyTheUnitChangesItsMediumAndRaisesUnitAttentions() {
        mediumRule().check(classes);
    }

    /**
     * BlockDevice (and driver snapshot capability, ImageSnapshots) methods that change the medium
     * initiators see (reading, extents, flush and close do not; flatten keeps what is read).
     */
    private static final Set<String> MEDIUM_MUTATORS = Set.of("write", "discard", "resize", "revertSnapshot");
    /** UnitAttentions methods that queue or reset conditions; peek/take/clear belong to the command path. */
    private static final Set<String> RAISERS = Set.of("raise", "raiseAll", "raiseOthers", "raiseWhere", "reset",
            "raiseAllAfterReset");

    /** A call the rule allows, and why (a lambda's calls count as its enclosing method's). */
    private record Allowed(String originClass, String originMethod, String target, String reason) {
        boolean matches(JavaMethodCall call) {
            return call.getOriginOwner().getName().equals(originClass)
                    && call.getOrigin().getName().equals(originMethod)
                    && call.getName().equals(target);
        }
    }

    private static final List<Allowed> ALLOWED = List.of(
            new Allowed("io.platter.server.manage.VolumeManager", "resizeUnmapped", "resize",
                    "an unmapped volume has no logical unit and no initiator; mapped ones go through LogicalUnit.resize"),
            new Allowed("io.platter.server.manage.SnapshotManager", "snapshotRevert", "revertSnapshot",
                    "on an unmapped image, or as the replacement handed to LogicalUnit.replaceContents,"
                            + " which runs it behind the medium fence after aborting the tasks"),
            new Allowed("io.platter.server.manage.SnapshotGroups", "revertFenced", "revertSnapshot",
                    "a group revert: on unmapped images, or inside the replaceContents of every mapped member,"
                            + " nested, so all members are fenced while any is reverted"));

    private static ArchRule mediumRule() {
        DescribedPredicate<JavaMethodCall> mutates = DescribedPredicate.describe(
                "a call that changes a BlockDevice's medium or raises a unit attention", call ->
                        ((call.getTargetOwner().isAssignableTo("io.platter.lun.BlockDevice")
                                || call.getTargetOwner().isAssignableTo("io.platter.lun.image.ImageSnapshots"))
                                && MEDIUM_MUTATORS.contains(call.getName())
                                || call.getTargetOwner().isAssignableTo("io.platter.scsi.attention.UnitAttentions")
                                && RAISERS.contains(call.getName()))
                                && ALLOWED.stream().noneMatch(a -> a.matches(call)));
        return noClasses().that().resideInAnyPackage("io.platter.server..", "io.platter.iscsi..")
                .should().callMethodWhere(mutates)
                .because("the logical unit owns its medium's lifecycle: ask LogicalUnit (resize, replaceContents,"
                        + " thinPoolThresholdReached)")
                .allowEmptyShould(true);
    }

    /** The rule shape used above does catch a dependency (these tests use their support package). */
    @Test
    void theRuleShapeDetectsAViolation() {
        JavaClasses self = new ClassFileImporter().importClasses(ArchitectureTest.class, CuConsoleParserTest.class);

        assertThatThrownBy(() -> mustNotDependOn("io.platter.tests", "io.platter.tests.support..").check(self))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("CuConsoleParser");
    }

    private static ArchRule mustNotDependOn(String layer, String... forbidden) {
        return noClasses().that().resideInAPackage(layer)
                .should().dependOnClassesThat().resideInAnyPackage(forbidden)
                .allowEmptyShould(true);
    }
}
