package io.platter.scsi.mode;

import java.io.IOException;
import java.util.Map;

/**
 * Where a logical unit keeps its saved mode parameters (SPC-5 §6.11: MODE SELECT with SP=1 saves
 * "to a nonvolatile vendor specific location"), as a few key=value pairs. Implementations are
 * called on an I/O executor, never on a network event loop.
 */
public interface ModeStore {

    /** The saved pairs; empty when nothing was ever saved. */
    Map<String, String> load() throws IOException;

    /** Replaces the saved pairs with {@code values}, atomically. */
    void save(Map<String, String> values) throws IOException;

    /** A store that keeps the pairs in memory for the life of the unit. */
    static ModeStore inMemory() {
        return new InMemoryModeStore();
    }
}
