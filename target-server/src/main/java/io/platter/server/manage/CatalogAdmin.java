package io.platter.server.manage;

import io.platter.config.ConfigException;
import io.platter.config.ConfigLoader;
import io.platter.config.ConfigWriter;
import io.platter.config.PlatterConfig;
import io.platter.config.catalog.Catalog;
import io.platter.config.catalog.Layers;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code platter config export|backup|restore|generations}: the catalog as the operator handles it.
 * Same locking as the managers: the monitor of the {@link ManagedConfig}.
 */
public final class CatalogAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(CatalogAdmin.class);

    private final ManagedConfig config;
    private final TargetManager targets;

    CatalogAdmin(ManagedConfig config, TargetManager targets) {
        this.config = config;
        this.targets = targets;
    }

    /**
     * The effective configuration (the file's server settings and declared objects, and the
     * catalog's objects) as a file {@code platter serve --config} accepts; CHAP secrets only with
     * {@code includeSecrets}, otherwise placeholders the loader refuses with a clear message.
     */
    public Views.ConfigText export(boolean includeSecrets) {
        synchronized (config) {
            String header = "Platter configuration exported " + now() + ": "
                    + config.file().map(f -> "the file " + f + " with ").orElse("")
                    + "catalog generation " + config.generation() + ".\n"
                    + (includeSecrets ? "Holds CHAP secrets: keep it private (mode 0600)."
                            : "CHAP secrets are left out; put them back before serving it (or export with"
                                    + " --include-secrets).");
            return new Views.ConfigText(ConfigWriter.exportYaml(config.get(), includeSecrets, header),
                    config.generation());
        }
    }

    /** The text of the generation in effect, as stored (secrets included: the CLI saves it 0600). */
    public Views.ConfigText backup() {
        synchronized (config) {
            long g = config.generation();
            try {
                String text = g == 0 ? ConfigWriter.objectsYaml(config.catalogPart(config.get()),
                        config.get().server().dataDir(), "Platter catalog, empty (nothing committed yet).")
                        : config.catalog().text(g);
                return new Views.ConfigText(text, g);
            } catch (IOException e) {
                throw ManagementException.failed("cannot read catalog generation " + g + ": " + e.getMessage());
            }
        }
    }

    /** Every generation kept, newest first. */
    public List<Views.Generation> generations() {
        synchronized (config) {
            try {
                return config.catalog().generations().stream().map(g -> new Views.Generation(g.number(),
                        g.file() == null ? null : g.file().toString(), ISO.format(g.committed()), g.bytes(),
                        g.damaged(), !g.damaged() && g.number() == config.generation())).toList();
            } catch (IOException e) {
                throw ManagementException.failed("cannot list the catalog " + config.catalog().location() + ": "
                        + e.getMessage());
            }
        }
    }

    /**
     * Checks {@code text} (a backup), applies it like a reload and commits it as a new generation.
     * Refused, with the catalog unchanged and the previous configuration applied again, when it does
     * not load, clashes with the file, or applying it fails.
     */
    public Views.Done restore(String text) {
        synchronized (config) {
            PlatterConfig objects;
            try {
                objects = ConfigLoader.readObjects(text == null ? "" : text, config.get().server().dataDir(),
                        Path.of("the restored backup"));
            } catch (ConfigException e) {
                throw ManagementException.badRequest("not a usable backup, nothing was changed: "
                        + e.getMessage().replace('\n', ' '));
            }
            PlatterConfig merged;
            try {
                merged = Layers.merge(config.declared(), config.file().orElse(null), objects, "the restored backup");
            } catch (ConfigException e) {
                throw ManagementException.badRequest("the backup clashes with the config file, nothing was changed: "
                        + e.getMessage().replace('\n', ' '));
            }
            PlatterConfig before = config.get();
            try {
                targets.reload(merged, false); // a LUN in use is not removed by a restore
            } catch (RuntimeException e) {
                undo(before);
                throw ManagementException.failed("restore refused: applying it failed (" + e.getMessage()
                        + "); the catalog is unchanged and the previous configuration applies again");
            }
            Catalog.Generation committed;
            try {
                committed = config.catalog().commit(config.generation(), objects);
            } catch (IOException e) {
                undo(before);
                throw ManagementException.failed("restore refused: cannot commit to the catalog: " + e.getMessage()
                        + "; the previous configuration applies again");
            }
            try {
                config.adopt(config.declared(), committed);
            } catch (ConfigException impossible) {
                throw new IllegalStateException("merged once, must merge again", impossible);
            }
            LOG.info("catalog restored as generation {}", committed.number());
            return new Views.Done("restored as catalog generation " + committed.number());
        }
    }

    private void undo(PlatterConfig before) {
        try {
            targets.reload(before, true);
        } catch (RuntimeException e) {
            LOG.error("restore: applying the previous configuration again failed too: {}", e.getMessage());
        }
    }

    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(ZoneId.systemDefault());

    private static String now() {
        return ISO.format(Instant.now());
    }
}
