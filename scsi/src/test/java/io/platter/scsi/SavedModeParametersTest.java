package io.platter.scsi;

import static io.platter.scsi.Fixture.cdb;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.platter.scsi.mode.FileModeStore;
import io.platter.scsi.mode.ModeStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SavedModeParametersTest {

    private static final String CACHING_OFF = "00000000" + "0812" + "00" + "00".repeat(17);

    /** A store that counts saves and can fail them. */
    static final class CountingStore implements ModeStore {
        final Map<String, String> values = new HashMap<>();
        int saves;
        boolean fail;

        @Override
        public Map<String, String> load() {
            return Map.copyOf(values);
        }

        @Override
        public void save(Map<String, String> v) throws IOException {
            if (fail) {
                throw new IOException("disk full");
            }
            saves++;
            values.clear();
            values.putAll(v);
        }
    }

    private static byte savedWce(ScsiTarget t) {
        return Fixture.run(t, 0, cdb(0x1A, 0x08, 0xC8, 0, 255, 0), null).assertGood().data()[6];
    }

    private static byte currentWce(ScsiTarget t) {
        return Fixture.run(t, 0, cdb(0x1A, 0x08, 0x08, 0, 255, 0), null).assertGood().data()[6];
    }

    private static ScsiTarget target(ModeStore store) {
        ScsiTarget t = new ScsiTarget("t", Fixture.ALLOC);
        t.addLun(0, new LogicalUnit(new LunIdentity(UUID.randomUUID()), new MemoryDevice(8 * 512, false),
                Runnable::run, Fixture.ALLOC, store));
        Fixture.clearUnitAttentions(t, 0);
        return t;
    }

    private static Fixture.Result select(ScsiTarget t, boolean sp, String hex) {
        byte[] list = ByteBufUtil.decodeHexDump(hex);
        return Fixture.run(t, 0, cdb(0x15, sp ? 0x11 : 0x10, 0, 0, list.length, 0),
                io.netty.buffer.Unpooled.wrappedBuffer(list));
    }

    @Test
    void spSavesWceAndANewUnitOnTheSameStoreStartsWithIt() {
        CountingStore store = new CountingStore();
        ScsiTarget t = target(store);
        select(t, false, CACHING_OFF).assertGood();
        assertThat(store.saves).isZero();
        assertThat(savedWce(t)).isEqualTo((byte) 4);
        select(t, true, CACHING_OFF).assertGood();
        assertThat(store.saves).isEqualTo(1);
        assertThat(store.values).containsEntry("caching.wce", "false");
        assertThat(savedWce(t)).isZero();
        assertThat(currentWce(target(store))).as("current after 'power on' = saved").isZero();
    }

    @Test
    void spWithNoParameterListSavesTheCurrentValues() {
        CountingStore store = new CountingStore();
        ScsiTarget t = target(store);
        select(t, false, CACHING_OFF).assertGood();
        Fixture.run(t, 0, cdb(0x15, 0x11, 0, 0, 0, 0), null).assertGood();
        assertThat(store.values).containsEntry("caching.wce", "false");
    }

    @Test
    void failedSaveIsInternalTargetFailure() {
        CountingStore store = new CountingStore();
        store.fail = true;
        ScsiTarget t = target(store);
        select(t, true, CACHING_OFF).assertCheck(4, 0x44, 0);
        assertThat(savedWce(t)).isEqualTo((byte) 4);
    }

    @Test
    void controlPageIsNotSaveableAndItsSavedValuesAreTheDefaults() {
        CountingStore store = new CountingStore();
        ScsiTarget t = target(store);
        select(t, true, "00000000" + "0a0a" + "0610" + "00".repeat(8)).assertGood();
        byte[] saved = Fixture.run(t, 0, cdb(0x1A, 0x08, 0xCA, 0, 255, 0), null).assertGood().data();
        assertThat(saved[4]).as("PS clear").isEqualTo((byte) 0x0A);
        assertThat(saved[6]).as("D_SENSE saved = default").isEqualTo((byte) 0x02);
        assertThat(store.values).containsOnlyKeys("caching.wce");
    }

    @Test
    void fileStoreRoundTripsAndStartsEmpty(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lun0.mode");
        FileModeStore store = new FileModeStore(file);
        assertThat(store.load()).isEmpty();
        store.save(Map.of("caching.wce", "false"));
        assertThat(new FileModeStore(file).load()).containsExactly(Map.entry("caching.wce", "false"));
        assertThat(Files.list(dir)).containsExactly(file);   // no temporary left behind
        ScsiTarget t = target(new FileModeStore(file));
        assertThat(currentWce(t)).isZero();
    }
}
