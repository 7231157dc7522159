package io.platter.config.catalog;

import io.platter.config.PlatterConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Where the daemon keeps the objects it was asked to make (targets, LUN mappings, volumes, ACLs,
 * CHAP): a sequence of numbered, immutable generations, each the whole set of objects. A commit names
 * the generation it was based on and is refused when that is no longer the newest, so two writers
 * (two daemons, or the gateways of a shared catalog) never overwrite each other's change unseen.
 *
 * <p>The objects are a {@link PlatterConfig} of which only the object sections count (targets,
 * volumes and the other object sections, and of the server settings {@code discovery-chap}); its
 * other server settings are defaults and mean nothing.
 */
public interface Catalog {

    /**
     * The newest generation that can be read; {@link Generation#number()} 0 with no objects when
     * nothing was ever committed. A damaged newer generation is set aside and reported.
     */
    Generation load() throws IOException;

    /**
     * Commits {@code objects} as the next generation.
     *
     * @param basedOn the generation the change was made from
     * @return the new generation
     * @throws StaleGenerationException when {@code basedOn} is not the newest generation any more
     * @throws IOException              when it cannot be written; then nothing changed
     */
    Generation commit(long basedOn, PlatterConfig objects) throws IOException;

    /** Every generation kept, newest first (damaged ones too). */
    List<GenerationInfo> generations() throws IOException;

    /** The stored text of a generation (what {@code platter config backup} saves). */
    String text(long generation) throws IOException;

    /** Whether any generation was ever committed (also a damaged one): false on a first start. */
    boolean exists() throws IOException;

    /** Where the catalog lives, for messages. */
    String location();

    /**
     * One generation.
     *
     * @param number  1, 2, ...; 0 for the empty catalog before the first commit
     * @param objects its objects
     */
    record Generation(long number, PlatterConfig objects) {
        public Generation {
            Objects.requireNonNull(objects, "objects");
        }
    }

    /**
     * A generation as listed.
     *
     * @param file      where it is stored, or null
     * @param committed when it was committed
     * @param damaged   whether it could not be read and was set aside
     */
    record GenerationInfo(long number, Path file, Instant committed, long bytes, boolean damaged) {
    }

    /** A commit based on a generation that is no longer the newest. */
    final class StaleGenerationException extends IOException {
        private final long basedOn;
        private final long newest;

        public StaleGenerationException(String location, long basedOn, long newest) {
            super("the catalog " + location + " changed meanwhile: this change was based on generation " + basedOn
                    + " but the newest is " + newest + "; nothing was changed, try again");
            this.basedOn = basedOn;
            this.newest = newest;
        }

        public long basedOn() {
            return basedOn;
        }

        public long newest() {
            return newest;
        }
    }
}
