package io.platter.tests;

import static io.platter.tests.support.Tools.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an import may build on and what a delete may remove (issue 15 item 2), against a running
 * daemon: a backing chain holds read-only templates only (a writable volume becomes one with the
 * operator's consent, never while it is mapped), a volume imported in place is forgotten with its
 * file left unless --delete-file, and a volume that is another's backing file is never deleted.
 */
@Timeout(300)
class ImportRulesIT {

    private static final Duration QEMU = Duration.ofMinutes(2);
    private static final String IQN = PlatterProcess.IQN;

    @Test
    void anOverlayOnAWritableVolumeIsRefusedUnlessItBecomesATemplate() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("import-rules-overlay", "4M")) {
            server.cliOk("volume", "create", "base", "--size", "16M", "--target", IQN, "--lun", "1");
            qemuIo(server.url(1), "write -P 0x5a 0 1M");
            Path overlay = server.dataDir().resolve("overlay.qcow2");
            Tools.runOk(QEMU, cmd("qemu-img", "create", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", "-u",
                    overlay, "16M"));
            String before = Files.readString(PlatterProcess.newestCatalogGeneration(server.dataDir()));

            Tools.result(server.cli("volume", "import", "ov", overlay.toString(), "--format", "qcow2"),
                    "--make-template");
            Tools.result(server.cli("volume", "import", "ov", overlay.toString(), "--format", "qcow2",
                    "--make-template"), "unmap it first");
            assertThat(Files.readString(PlatterProcess.newestCatalogGeneration(server.dataDir()))).as("nothing changed by refused imports").isEqualTo(before);
            assertThat(server.cliOk("volume", "show", "base")).contains("template: false");

            server.cliOk("lun", "unmap", IQN, "1");
            Tools.result(server.cli("volume", "import", "ov", overlay.toString(), "--format", "qcow2"),
                    "a writable volume");
            assertThat(server.cliOk("volume", "show", "base")).contains("template: false");

            server.cliOk("volume", "import", "ov", overlay.toString(), "--format", "qcow2", "--make-template",
                    "--target", IQN, "--lun", "2");
            assertThat(server.cliOk("volume", "show", "base")).contains("template: true");
            assertThat(qemuIo(server.url(2), "read -P 0x5a 0 1M")).doesNotContain("Pattern verification failed");
            Tools.result(server.cli("lun", "map", IQN, "base", "--lun", "1"), "read-only template");
            Tools.result(server.cli("volume", "delete", "base", "--force"), "template of ov");
            assertThat(server.dataDir().resolve("base.qcow2")).exists();

            // An overlay of the overlay: the chain below its own backing file is checked too.
            Path deeper = server.dataDir().resolve("deeper.qcow2");
            Tools.runOk(QEMU, cmd("qemu-img", "create", "-f", "qcow2", "-b", "overlay.qcow2", "-F", "qcow2", "-u",
                    deeper, "16M"));
            server.cliOk("lun", "unmap", IQN, "2");
            Tools.result(server.cli("volume", "import", "deep", deeper.toString(), "--format", "qcow2"),
                    "volume ov, a writable volume");
            server.assertNoInternalErrors();
        }
    }

    @Test
    void aVolumeImportedInPlaceIsForgottenAndItsFileKeptUnlessDeleteFile() throws Exception {
        try (PlatterProcess server = PlatterProcess.start("import-rules-delete", "4M")) {
            Path incoming = Files.createDirectories(server.dataDir().resolve("incoming"));
            Path mine = incoming.resolve("mine.qcow2");
            Tools.runOk(QEMU, cmd("qemu-img", "create", "-f", "qcow2", mine, "8M"));
            Tools.runOk(QEMU, cmd("qemu-io", "-f", "qcow2", "-c", "write -P 0x61 0 64k", mine));

            server.cliOk("volume", "import", "mine", mine.toString(), "--format", "qcow2", "--target", IQN, "--lun", "1");
            assertThat(Files.readString(PlatterProcess.newestCatalogGeneration(server.dataDir()))).as("recorded in the catalog").contains("imported: in-place");
            assertThat(server.cliOk("volume", "delete", "mine", "--force")).contains("forgotten").contains("left in place");
            assertThat(mine).exists();
            assertThat(server.cliOk("volume", "list")).doesNotContain("mine");
            Tools.runOk(QEMU, cmd("qemu-io", "-f", "qcow2", "-c", "read -P 0x61 0 64k", mine));

            server.cliOk("volume", "import", "again", mine.toString(), "--format", "qcow2");
            assertThat(server.cliOk("volume", "delete", "again", "--delete-file")).contains("deleted");
            assertThat(mine).doesNotExist();

            server.cliOk("volume", "create", "made", "--size", "8M");
            server.cliOk("volume", "delete", "made");
            assertThat(server.dataDir().resolve("made.qcow2")).as("an image Platter made goes with its volume")
                    .doesNotExist();
            server.assertNoInternalErrors();
        }
    }

    private static String qemuIo(String url, String command) {
        return Tools.runOk(QEMU, cmd("qemu-io", "-f", "raw", "-c", command, url));
    }
}
