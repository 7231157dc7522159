package io.platter.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.platter.lun.MemoryBlockDevice;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoolMetricsTest {

    private static final String T = "iqn.2026-11.io.platter:t";

    @TempDir
    Path dir;

    @Test
    void gaugesAddUpTheLunsAndReadTheFileSystem() throws Exception {
        MemoryBlockDevice a = new MemoryBlockDevice(8L << 20);
        MemoryBlockDevice b = new MemoryBlockDevice(4L << 20);
        ByteBuf data = Unpooled.buffer(4096).writeZero(4096);
        try {
            a.write(0, data, false);
            a.write(MemoryBlockDevice.CHUNK * 3L, data, false);
            b.write(0, data, false);
        } finally {
            data.release();
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        PoolMetrics.register(registry, dir, List.of(new PoolMetrics.Volume(T, 0, "a", a), new PoolMetrics.Volume(T, 1, "b", b)));

        String text = scrape(registry);
        assertThat(value(text, "platter_pool_provisioned_bytes")).isEqualTo(12.0 * (1 << 20));
        assertThat(value(text, "platter_pool_allocated_bytes")).isEqualTo(3.0 * MemoryBlockDevice.CHUNK);
        assertThat(value(text, "platter_lun_size_bytes{lun=\"1\",target=\"" + T + "\",volume=\"b\"}")).isEqualTo(4.0 * (1 << 20));
        assertThat(value(text, "platter_lun_allocated_bytes{lun=\"0\",target=\"" + T + "\",volume=\"a\"}"))
                .isEqualTo(2.0 * MemoryBlockDevice.CHUNK);
        FileStore fs = Files.getFileStore(dir);
        assertThat(value(text, "platter_pool_filesystem_size_bytes")).isEqualTo((double) fs.getTotalSpace());
        assertThat(value(text, "platter_pool_filesystem_used_bytes")).isPositive()
                .isLessThanOrEqualTo(fs.getTotalSpace());
        assertThat(value(text, "platter_pool_overprovisioning_ratio"))
                .isCloseTo(12.0 * (1 << 20) / fs.getTotalSpace(), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(text).contains("# TYPE platter_pool_allocated_bytes gauge");
        assertThat(value(text, "platter_pool_soft_threshold_ratio")).isEqualTo(0.8);
        double usedShare = (double) (fs.getTotalSpace() - fs.getUnallocatedSpace()) / fs.getTotalSpace();
        assertThat(value(text, "platter_pool_soft_threshold_reached")).isEqualTo(usedShare >= 0.8 ? 1.0 : 0.0);
        assertThat(value(text, "platter_lun_snapshots{lun=\"0\",target=\"" + T + "\",volume=\"a\"}")).isZero();

        // Allocation is read at scrape time.
        ByteBuf more = Unpooled.buffer(4096).writeZero(4096);
        try {
            b.write(MemoryBlockDevice.CHUNK, more, false);
        } finally {
            more.release();
        }
        assertThat(value(scrape(registry), "platter_pool_allocated_bytes")).isEqualTo(4.0 * MemoryBlockDevice.CHUNK);
        a.close();
        b.close();
    }

    @Test
    void aMissingDataDirLeavesOutOnlyTheFileSystemSamples() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        MemoryBlockDevice a = new MemoryBlockDevice(1L << 20);
        PoolMetrics.register(registry, dir.resolve("gone"), List.of(new PoolMetrics.Volume(T, 0, "a", a)));
        String text = scrape(registry);
        assertThat(text).doesNotContain("platter_pool_filesystem_size_bytes ")
                .doesNotContain("platter_pool_overprovisioning_ratio ");
        assertThat(value(text, "platter_pool_provisioned_bytes")).isEqualTo(1.0 * (1 << 20));
        a.close();
    }

    private static String scrape(PrometheusRegistry registry) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    private static double value(String text, String sample) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(text);
        assertThat(m.find()).as(sample + " in\n" + text).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
