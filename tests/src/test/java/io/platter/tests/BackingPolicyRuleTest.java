package io.platter.tests;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.platter.lun.qcow2.Qcow2Image;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The daemon opens qcow2 images with a {@link io.platter.lun.qcow2.BackingPolicy}: the
 * two-argument {@code Qcow2Image.open} follows a backing name anywhere on the host (issue 21
 * finding 3), so no class of the server calls it.
 */
class BackingPolicyRuleTest {

    private static ArchRule noUnconfinedOpenIn(String packages) {
        return noClasses().that().resideInAPackage(packages)
                .should().callMethod(Qcow2Image.class, "open", Path.class, boolean.class)
                .because("a qcow2 header may name any host file as its backing file")
                .allowEmptyShould(true);
    }

    @Test
    void theServerOpensQcow2ImagesOnlyWithABackingPolicy() {
        JavaClasses server = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.platter.server", "io.platter.iscsi");
        noUnconfinedOpenIn("io.platter..").check(server);
    }

    @Test
    void theRuleCatchesAnUnconfinedOpen() {
        JavaClasses self = new ClassFileImporter().importClasses(Unconfined.class);
        assertThatThrownBy(() -> noUnconfinedOpenIn("io.platter.tests..").check(self))
                .isInstanceOf(AssertionError.class).hasMessageContaining("Unconfined");
    }

    /** What the rule forbids. */
    static final class Unconfined {
        static void open(Path p) throws IOException {
            Qcow2Image.open(p, true).close();
        }
    }
}
