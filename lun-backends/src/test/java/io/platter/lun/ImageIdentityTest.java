package io.platter.lun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageIdentityTest {

    @TempDir
    Path dir;

    @Test
    void createdOnceAndStableAcrossCallsAndReopens() throws Exception {
        Path image = dir.resolve("vol1.img");
        RawImage.create(image, 1 << 20, false).close();
        UUID first = ImageIdentity.loadOrCreate(image);
        assertThat(ImageIdentity.loadOrCreate(image)).isEqualTo(first);
        Path sidecar = dir.resolve("vol1.img.id");
        assertThat(ImageIdentity.sidecar(image)).isEqualTo(sidecar);
        assertThat(Files.readString(sidecar, StandardCharsets.US_ASCII)).isEqualTo("uuid=" + first + "\n");
        try (RawImage reopened = RawImage.open(image, false)) {
            assertThat(ImageIdentity.loadOrCreate(reopened.file())).isEqualTo(first);
        }
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString()))
                    .as("no temporary files left").containsExactlyInAnyOrder("vol1.img", "vol1.img.id");
        }
    }

    @Test
    void differentImagesGetDifferentIds() throws Exception {
        assertThat(ImageIdentity.loadOrCreate(dir.resolve("a.img")))
                .isNotEqualTo(ImageIdentity.loadOrCreate(dir.resolve("b.img")));
    }

    @Test
    void anExistingSidecarIsReadNotReplaced() throws Exception {
        UUID known = UUID.fromString("0b5e6a7c-1d2e-4f30-8a9b-0c1d2e3f4a5b");
        Files.writeString(dir.resolve("old.img.id"), "# written by an earlier version\nuuid=" + known + "\n");
        assertThat(ImageIdentity.loadOrCreate(dir.resolve("old.img"))).isEqualTo(known);
    }

    @Test
    void aMalformedSidecarIsAnErrorAndIsKept() throws Exception {
        Path sidecar = dir.resolve("bad.img.id");
        Files.writeString(sidecar, "uuid=1-2-3-4-5\n");
        assertThatThrownBy(() -> ImageIdentity.loadOrCreate(dir.resolve("bad.img")))
                .isInstanceOf(IOException.class).hasMessageContaining("malformed");
        Files.writeString(sidecar, "");
        assertThatThrownBy(() -> ImageIdentity.loadOrCreate(dir.resolve("bad.img")))
                .isInstanceOf(IOException.class).hasMessageContaining("no 'uuid=' line");
        assertThat(Files.readString(sidecar)).isEmpty();
    }
}
