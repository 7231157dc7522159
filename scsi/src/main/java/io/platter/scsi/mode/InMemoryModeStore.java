package io.platter.scsi.mode;

import java.util.Map;

/** Saved mode parameters held in memory: they survive an I_T nexus loss, not a restart. */
final class InMemoryModeStore implements ModeStore {

    private volatile Map<String, String> values = Map.of();

    @Override
    public Map<String, String> load() {
        return values;
    }

    @Override
    public void save(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }
}
