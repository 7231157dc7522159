package io.platter.tests;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
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
