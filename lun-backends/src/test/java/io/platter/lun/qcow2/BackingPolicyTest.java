package io.platter.lun.qcow2;

import static io.platter.lun.qcow2.Qcow2Tests.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A qcow2 header may name any host file as its backing file; a confined open follows none outside its root. */
class BackingPolicyTest {

    private static final int SIZE = 1 << 20;

    @TempDir
    Path dir;
    Path root;
    Path secret;

    @BeforeEach
    void files() throws Exception {
        root = Files.createDirectories(dir.resolve("data"));
        secret = dir.resolve("secret.txt");
        byte[] text = Arrays.copyOf("chap-secret: hunter2".getBytes(), SIZE);
        Files.write(secret, text);
    }

    @Test
    void anyPolicyFollowsAnAbsoluteNameLikeQemuImg() throws Exception {
        Path overlay = root.resolve("o.qcow2");
        Qcow2Image.create(overlay, SIZE, 16, secret.toString(), "raw").close();
        try (Qcow2Image q = Qcow2Image.open(overlay, true)) {
            assertThat(new String(read(q, 0, 11))).isEqualTo("chap-secret");
        }
    }

    @Test
    void confinedRefusesAnAbsoluteNameOutsideTheRoot() throws Exception {
        Path overlay = root.resolve("o.qcow2");
        Qcow2Image.create(overlay, SIZE, 16, secret.toString(), "raw").close();
        assertThatThrownBy(() -> Qcow2Image.open(overlay, false, BackingPolicy.confinedTo(root)))
                .isInstanceOf(Qcow2FormatException.class).hasMessageContaining("outside");
    }

    @Test
    void confinedRefusesDotDotAndSymlinksLeadingOut() throws Exception {
        Path up = root.resolve("up.qcow2");
        Qcow2Image.create(up, SIZE, 16, "../secret.txt", "raw").close();
        assertThatThrownBy(() -> Qcow2Image.open(up, true, BackingPolicy.confinedTo(root)))
                .isInstanceOf(Qcow2FormatException.class).hasMessageContaining("outside");
        Files.createSymbolicLink(root.resolve("link.img"), secret);
        Path linked = root.resolve("linked.qcow2");
        Qcow2Image.create(linked, SIZE, 16, "link.img", "raw").close();
        assertThatThrownBy(() -> Qcow2Image.open(linked, true, BackingPolicy.confinedTo(root)))
                .isInstanceOf(Qcow2FormatException.class).hasMessageContaining("outside");
    }

    @Test
    void confinedFollowsAChainInsideTheRoot() throws Exception {
        Path base = root.resolve("base.qcow2");
        try (Qcow2Image b = Qcow2Image.create(base, SIZE, 16)) {
            Qcow2Tests.write(b, 0, new byte[] {7, 7, 7});
        }
        Path overlay = root.resolve("o.qcow2");
        Qcow2Image.create(overlay, SIZE, 16, "base.qcow2", "qcow2").close();
        try (Qcow2Image q = Qcow2Image.open(overlay, false, BackingPolicy.confinedTo(root))) {
            assertThat(read(q, 0, 3)).containsExactly(7, 7, 7);
        }
    }

    @Test
    void theChainIsConfinedAtEveryLevel() throws Exception {
        Path middle = root.resolve("middle.qcow2");
        Qcow2Image.create(middle, SIZE, 16, secret.toString(), "raw").close();
        Path overlay = root.resolve("o.qcow2");
        Qcow2Image.create(overlay, SIZE, 16, "middle.qcow2", "qcow2").close();
        assertThatThrownBy(() -> Qcow2Image.open(overlay, true, BackingPolicy.confinedTo(root)))
                .isInstanceOf(Qcow2FormatException.class).hasMessageContaining("outside");
    }
}
