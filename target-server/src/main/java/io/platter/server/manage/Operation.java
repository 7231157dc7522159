package io.platter.server.manage;

import io.platter.config.ImageFormat;
import io.platter.config.Provisioning;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Every request of the management API: its path under {@code /v1/} (always POST with a JSON
 * object, answered with a JSON value) and what it does. The table checks itself for duplicates.
 */
public enum Operation {
    VOLUME_CREATE("volume/create", (s, a) -> {
        ImageFormat format = a.format(ImageFormat.QCOW2);
        // Thin is the default for both formats (a thick image is asked for by name).
        Provisioning p = a.provisioning(Provisioning.THIN);
        return s.volumes().create(a.text("name"), a.size("size"), format, p, a.optText("target"), a.integer("lun", -1));
    }),
    VOLUME_LIST("volume/list", (s, a) -> s.volumes().list()),
    VOLUME_SHOW("volume/show", (s, a) -> s.volumes().show(a.text("name"))),
    /** {@code size} absolute ({@code 20G}, or a number of bytes) or relative ({@code +10G}, {@code -1G}). */
    VOLUME_RESIZE("volume/resize", (s, a) -> s.volumes().resize(a.text("name"), a.sizeChange("size"), a.flag("force"))),
    VOLUME_RENAME("volume/rename", (s, a) -> s.volumes().rename(a.text("name"), a.text("newName"))),
    /** {@code deleteFile} deletes an imported-in-place image too; outside the data dir also {@code outsideDataDir}. */
    VOLUME_DELETE("volume/delete", (s, a) -> s.volumes().delete(a.text("name"), a.flag("force"),
            a.flag("deleteFile"), a.flag("outsideDataDir"))),
    VOLUME_FLATTEN("volume/flatten", (s, a) -> s.clones().flatten(a.text("name"))),
    /** {@code format} is required: an image's format is never guessed. */
    /** {@code makeTemplate}: writable volumes of the backing chain become read-only templates (else refused). */
    VOLUME_IMPORT("volume/import", (s, a) -> s.clones().importVolume(a.text("name"), a.text("file"), a.format(null),
            a.flag("copy"), a.flag("makeTemplate"), a.optText("target"), a.integer("lun", -1))),
    SNAPSHOT_CREATE("snapshot/create", (s, a) -> s.snapshots().snapshotCreate(a.text("volume"), a.text("name"))),
    SNAPSHOT_CREATE_GROUP("snapshot/create-group", (s, a) ->
            s.snapshots().snapshotCreateGroup(a.text("group"), a.texts("volumes"), a.text("name"))),
    SNAPSHOT_LIST("snapshot/list", (s, a) -> s.snapshots().snapshotList(a.text("volume"))),
    SNAPSHOT_REVERT("snapshot/revert", (s, a) ->
            s.snapshots().snapshotRevert(a.text("volume"), a.text("name"), a.flag("force"))),
    SNAPSHOT_DELETE("snapshot/delete", (s, a) -> s.snapshots().snapshotDelete(a.text("volume"), a.text("name"))),
    /** Optional {@code group}: only that group's snapshots. */
    SNAPSHOT_LIST_GROUPS("snapshot/list-groups", (s, a) -> s.snapshots().snapshotListGroups(a.optText("group"))),
    SNAPSHOT_REVERT_GROUP("snapshot/revert-group", (s, a) ->
            s.snapshots().snapshotRevertGroup(a.text("group"), a.text("name"), a.flag("force"))),
    SNAPSHOT_DELETE_GROUP("snapshot/delete-group", (s, a) ->
            s.snapshots().snapshotDeleteGroup(a.text("group"), a.text("name"))),
    CLONE("clone", (s, a) -> s.clones().clone(a.text("source"), a.optText("snapshot"), a.text("name"),
            a.optText("target"), a.integer("lun", -1))),
    TARGET_CREATE("target/create", (s, a) -> s.targets().create(a.text("iqn"), a.optText("alias"))),
    TARGET_LIST("target/list", (s, a) -> s.targets().list()),
    TARGET_SHOW("target/show", (s, a) -> s.targets().show(a.text("iqn"))),
    TARGET_DELETE("target/delete", (s, a) -> s.targets().delete(a.text("iqn"), a.flag("force"))),
    LUN_MAP("lun/map", (s, a) -> s.targets().map(a.text("target"), a.text("volume"), a.integer("lun", -1))),
    /** Every LUN, or those of {@code target}; sorted by target, then LUN. */
    LUN_LIST("lun/list", (s, a) -> s.targets().lunList(a.optText("target"))),
    /** {@code force} to unmap a LUN sessions are logged in to (they get REPORTED LUNS DATA HAS CHANGED). */
    LUN_UNMAP("lun/unmap", (s, a) -> s.targets().unmap(a.text("target"), a.integer("lun", -1), a.flag("force"))),
    ACL_ADD("acl/add", (s, a) -> s.access().aclAdd(a.text("target"), a.text("initiator"))),
    ACL_REMOVE("acl/remove", (s, a) -> s.access().aclRemove(a.text("target"), a.text("initiator"), a.flag("open"))),
    ACL_LIST("acl/list", (s, a) -> s.access().aclList(a.text("target"))),
    /**
     * {@code target}, or {@code discovery: true}; user, secret, optional mutualUser and mutualSecret,
     * and allowShortSecret to accept a secret under 12 bytes.
     */
    CHAP_SET("chap/set", (s, a) -> s.access().chapSet(a.chapScope(), a.text("user"), a.text("secret"),
            a.optText("mutualUser"), a.optText("mutualSecret"), a.flag("allowShortSecret"))),
    CHAP_CLEAR("chap/clear", (s, a) -> s.access().chapClear(a.chapScope())),
    JOB_LIST("job/list", (s, a) -> s.volumes().jobs().list()),
    JOB_SHOW("job/show", (s, a) -> s.volumes().jobs().show(a.integer("id", -1))),
    SESSION_LIST("session/list", (s, a) -> s.targets().sessions()),
    /**
     * {@code tsih}, or {@code initiator} and {@code isid}; optional {@code target} and
     * {@code seconds} (the time the initiator gets to log out, default 10).
     */
    SESSION_LOGOUT("session/logout", (s, a) -> s.targets().logout(a.integer("tsih", -1), a.optText("initiator"),
            a.optText("isid"), a.optText("target"), a.integer("seconds", Sessions.DEFAULT_LOGOUT_SECONDS))),
    AUTH_BLOCKS("auth/blocks", (s, a) -> s.access().authBlocks()),
    /** Optional {@code address}, {@code target}, {@code user}; or {@code all: true}. */
    AUTH_UNBLOCK("auth/unblock", (s, a) -> s.access().authUnblock(a.optText("address"), a.optText("target"),
            a.optText("user"), a.flag("all"))),
    /** {@code includeSecrets: true} to export CHAP secrets instead of placeholders. */
    CONFIG_EXPORT("config/export", (s, a) -> s.catalog().export(a.flag("includeSecrets"))),
    CONFIG_BACKUP("config/backup", (s, a) -> s.catalog().backup()),
    /** {@code text}: a backup's text. */
    CONFIG_RESTORE("config/restore", (s, a) -> s.catalog().restore(a.text("text"))),
    CONFIG_GENERATIONS("config/generations", (s, a) -> s.catalog().generations()),
    STATUS("status", (s, a) -> s.status()),
    /** {@code force} to remove LUNs or targets sessions are logged in to. */
    RELOAD("reload", (s, a) -> s.reload(a.flag("force")));

    private static final Map<String, Operation> BY_PATH = new HashMap<>();

    static {
        for (Operation o : values()) {
            if (BY_PATH.put(o.path, o) != null) {
                throw new ExceptionInInitializerError("duplicate management path " + o.path);
            }
        }
    }

    private final String path;
    private final BiFunction<Services, Args, Object> action;

    Operation(String path, BiFunction<Services, Args, Object> action) {
        this.path = path;
        this.action = action;
    }

    /** The path under {@code /v1/}, e.g. {@code volume/create}. */
    public String path() {
        return path;
    }

    /** The operation at {@code path}, or null. */
    public static Operation find(String path) {
        return BY_PATH.get(path);
    }

    Object run(Services services, Args args) {
        return action.apply(services, args);
    }
}
