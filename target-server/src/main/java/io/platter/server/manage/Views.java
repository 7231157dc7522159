package io.platter.server.manage;

import java.util.List;

/** The values the management API answers with (serialized as JSON objects, field by field). */
public final class Views {

    private Views() {
    }

    /**
     * A volume.
     *
     * @param allocatedBytes space the image file takes on the file system
     * @param backing        the image a clone reads unwritten blocks from, or null
     * @param target         the target it is mapped into, or null
     * @param lun            its LUN there, or -1
     */
    public record Volume(String name, String format, String provisioning, long sizeBytes, long allocatedBytes,
                         String image, boolean template, String backing, String target, int lun, int snapshots) {
    }

    /** An internal snapshot of a qcow2 volume. */
    public record Snapshot(String id, String name, long dateSeconds, long diskSizeBytes) {
    }

    /** A LUN of a target: the volume mapped there (null for an image configured without a volume). */
    public record Lun(int lun, String volume, String image, long sizeBytes) {
    }

    /**
     * A target with its LUNs and the number of sessions logged in to it.
     *
     * @param chap     {@code none}, {@code one-way} or {@code mutual} (never a secret)
     * @param chapUser the CHAP user a login must name, or null
     */
    public record Target(String iqn, String alias, List<Lun> luns, int sessions, String chap, String chapUser,
                         List<String> acl) {
    }

    /** The initiators allowed to log in to a target; empty allows every initiator. */
    public record Acl(String target, List<String> initiators) {
    }

    /** A session; target null for discovery. */
    public record Session(int tsih, String initiator, String isid, String target) {
    }

    /**
     * The thin pool: the file system of the data directory.
     *
     * @param provisionedBytes    sum of the sizes of every volume and LUN image
     * @param allocatedBytes      space those images take
     * @param overProvisioning    provisioned over total size of the file system
     * @param thresholdPercent    used share at which the pool warns
     * @param thresholdReached    whether the used share is at or above it
     */
    public record Pool(String dataDir, long totalBytes, long usedBytes, long freeBytes, long provisionedBytes,
                       long allocatedBytes, double overProvisioning, int thresholdPercent, boolean thresholdReached) {
    }

    /**
     * The daemon as a whole.
     *
     * @param configFile the operator's config file, or null when the daemon runs without one
     * @param catalog    the catalog's location
     * @param generation the catalog generation in effect (0: nothing committed yet)
     */
    public record Status(String version, List<String> portals, String transport, int targets, int luns,
                         int volumes, int sessions, Pool pool, String configFile, String catalog,
                         long generation) {
    }

    /**
     * A configuration text: an export, or the catalog generation a backup saves.
     *
     * @param generation the catalog generation it reflects
     */
    public record ConfigText(String text, long generation) {
    }

    /**
     * A catalog generation.
     *
     * @param committed ISO 8601 time of the commit
     * @param damaged   set aside because it could not be read
     * @param current   the generation in effect
     */
    public record Generation(long number, String file, String committed, long bytes, boolean damaged,
                             boolean current) {
    }

    /** Snapshot {@code name} taken of every volume of a group at one instant; writes paused {@code pauseMillis}. */
    public record GroupSnapshot(String group, String name, List<String> volumes, long pauseMillis) {
    }

    /**
     * A long operation (flatten, thick allocation, snapshot materialisation, import copy).
     *
     * @param state   running, done or failed
     * @param error   why it failed, or null
     */
    public record Job(long id, String operation, String volume, String state, long doneBytes, long totalBytes,
                      String error) {
    }

    /** What a change did, for the operator. */
    public record Done(String message) {
    }
}
