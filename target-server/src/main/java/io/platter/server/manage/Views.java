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
     * @param state          {@code online}, {@code offline} (mapped, its image cannot be opened) or
     *                       {@code unmapped}
     * @param offlineReason  why it is offline, or null
     */
    public record Volume(String name, String format, String provisioning, long sizeBytes, long allocatedBytes,
                         String image, boolean template, String backing, String target, int lun, int snapshots,
                         String state, String offlineReason) {
    }

    /** An internal snapshot of a qcow2 volume. */
    public record Snapshot(String id, String name, long dateSeconds, long diskSizeBytes) {
    }

    /**
     * A LUN of a target: the volume mapped there (null for an image configured without a volume).
     *
     * @param state         {@code online}, {@code offline} (its image cannot be opened; it answers
     *                      NOT READY) or {@code unmapped} (configured, not served)
     * @param offlineReason why it is offline, or null
     */
    public record Lun(int lun, String volume, String image, long sizeBytes, String state, String offlineReason) {
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

    /**
     * A LUN as {@code lun list} and {@code target show} list it.
     *
     * @param volume    the volume mapped there, or null for an image configured without a volume
     * @param sizeBytes the size served (configured when not open), or -1 when unknown
     * @param state     {@code online} when it serves, {@code offline} when its image is not open
     */
    public record LunEntry(String target, int lun, String volume, String image, long sizeBytes, String state,
                           String offlineReason) {
    }

    /**
     * One target in full, for {@code target show}: no secret, only the CHAP mode and user.
     *
     * @param chap     {@code none}, {@code one-way} or {@code mutual}
     * @param chapUser the CHAP user a login must name, or null
     * @param acl      initiators allowed to log in, sorted; empty allows every initiator
     * @param luns     sorted by LUN
     * @param portals  where initiators reach it, {@code address:port}
     */
    public record TargetDetail(String iqn, String alias, String chap, String chapUser, List<String> acl,
                               List<LunEntry> luns, List<String> portals, int sessions) {
    }

    /** The initiators allowed to log in to a target; empty allows every initiator. */
    public record Acl(String target, List<String> initiators) {
    }

    /**
     * A session; target null for discovery.
     *
     * @param isid         12 hex digits
     * @param portal       local address:port of the leading connection
     * @param source       the initiator's address (leading connection)
     * @param connections  how many connections it has
     * @param cids         their CIDs, leading one first
     * @param chapUser     the CHAP user it proved at login, or null
     * @param headerDigest CRC32C or None (both, "CRC32C/None", when connections differ)
     * @param loginTime    ISO 8601 in the host's time zone
     */
    public record Session(int tsih, String initiator, String isid, String target, String portal, String source,
                          int connections, List<Integer> cids, String chapUser, String headerDigest,
                          String dataDigest, String loginTime, List<SessionConnection> connectionList) {
    }

    /** One connection of a session: portal and source as address:port. */
    public record SessionConnection(int cid, String portal, String source, String headerDigest, String dataDigest) {
    }

    /**
     * A login block of {@code platter auth blocks}.
     *
     * @param address      the source address, or "*" for a block of every address
     * @param user         the CHAP user name, or "-" for names the target does not know
     * @param failures     wrong CHAP responses counted
     * @param blockedUntil ISO 8601 in the host's time zone
     */
    public record AuthBlock(String address, String target, String user, int failures, String blockedUntil) {
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
     * @param offline    the LUNs that are offline (their image cannot be opened), empty when none
     */
    public record Status(String version, List<String> portals, String transport, int targets, int luns,
                         int volumes, int sessions, Pool pool, String configFile, String catalog,
                         long generation, List<OfflineLun> offline) {
    }

    /** A LUN whose image cannot be opened: it answers NOT READY until the file is fixed and reloaded. */
    public record OfflineLun(String target, int lun, String reason) {
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

    /** A recorded group snapshot: snapshot {@code name} of every volume in {@code volumes}; {@code created} ISO-8601. */
    public record SnapshotGroupEntry(String group, String name, List<String> volumes, String created) {
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
