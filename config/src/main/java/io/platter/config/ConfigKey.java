package io.platter.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every key the config file may contain: where it may appear, whether it is required, and whether
 * its value is secret (never quoted in a problem message: the CHAP secrets). The table checks
 * itself for duplicates.
 */
enum ConfigKey {
    VERSION(Scope.FILE, "version", false, false),
    SERVER(Scope.FILE, "server", false, false),
    TARGETS(Scope.FILE, "targets", false, false),
    VOLUMES(Scope.FILE, "volumes", false, false),
    SNAPSHOT_GROUPS(Scope.FILE, "snapshot-groups", false, false),

    PORTALS(Scope.SERVER, "portals", false, false),
    PORTAL_GROUPS(Scope.SERVER, "portal-groups", false, false),
    DATA_DIR(Scope.SERVER, "data-dir", false, false),
    IO_THREADS(Scope.SERVER, "io-threads", false, false),
    DISCOVERY_CHAP(Scope.SERVER, "discovery-chap", false, true),
    METRICS(Scope.SERVER, "metrics", false, false),
    LOG_LEVEL(Scope.SERVER, "log-level", false, false),
    MANAGEMENT(Scope.SERVER, "management", false, false),
    THIN_THRESHOLD(Scope.SERVER, "thin-threshold", false, false),

    IQN(Scope.TARGET, "iqn", true, false),
    ALIAS(Scope.TARGET, "alias", false, false),
    LUNS(Scope.TARGET, "luns", false, false),
    CHAP(Scope.TARGET, "chap", false, true),
    ACL(Scope.TARGET, "acl", false, false),

    CHAP_USER(Scope.CHAP, "user", true, false),
    CHAP_SECRET(Scope.CHAP, "secret", true, true),
    MUTUAL_USER(Scope.CHAP, "mutual-user", false, false),
    MUTUAL_SECRET(Scope.CHAP, "mutual-secret", false, true),
    ALLOW_SHORT_SECRET(Scope.CHAP, "allow-short-secret", false, false),

    GROUP_TAG(Scope.PORTAL_GROUP, "tag", true, false),
    GROUP_PORTALS(Scope.PORTAL_GROUP, "portals", true, false),

    LUN_ID(Scope.LUN, "id", true, false),
    IMAGE(Scope.LUN, "image", true, false),
    SIZE(Scope.LUN, "size", false, false),
    FORMAT(Scope.LUN, "format", false, false),
    PROVISIONING(Scope.LUN, "provisioning", false, false),

    VOLUME_NAME(Scope.VOLUME, "name", true, false),
    VOLUME_IMAGE(Scope.VOLUME, "image", true, false),
    VOLUME_FORMAT(Scope.VOLUME, "format", false, false),
    VOLUME_PROVISIONING(Scope.VOLUME, "provisioning", false, false),
    VOLUME_TEMPLATE(Scope.VOLUME, "template", false, false),
    /** {@code in-place}: the image was adopted where it was, not made by Platter. */
    VOLUME_IMPORTED(Scope.VOLUME, "imported", false, false),

    SNAPSHOT_GROUP_NAME(Scope.SNAPSHOT_GROUP, "group", true, false),
    SNAPSHOT_GROUP_SNAPSHOT(Scope.SNAPSHOT_GROUP, "snapshot", true, false),
    SNAPSHOT_GROUP_VOLUMES(Scope.SNAPSHOT_GROUP, "volumes", true, false),
    SNAPSHOT_GROUP_CREATED(Scope.SNAPSHOT_GROUP, "created", true, false);

    /** The kinds of mapping a key can live in. */
    enum Scope { FILE, SERVER, PORTAL_GROUP, TARGET, LUN, CHAP, VOLUME, SNAPSHOT_GROUP }

    private static final int MAX_QUOTED = 80;
    private static final Map<Scope, Map<String, ConfigKey>> BY_SCOPE = index();

    private final Scope scope;
    private final String word;
    private final boolean required;
    private final boolean secret;

    ConfigKey(Scope scope, String word, boolean required, boolean secret) {
        this.scope = scope;
        this.word = word;
        this.required = required;
        this.secret = secret;
    }

    String word() {
        return word;
    }

    Scope scope() {
        return scope;
    }

    boolean required() {
        return required;
    }

    /** The value as a problem message may show it: quoted, or hidden for a secret key. */
    String show(Object value) {
        if (secret) {
            return "(value hidden)";
        }
        String text = String.valueOf(value);
        if (text.length() > MAX_QUOTED) {
            text = text.substring(0, MAX_QUOTED) + "...";
        }
        StringBuilder sb = new StringBuilder("\"");
        text.codePoints().forEach(cp -> {
            if (cp == '"' || cp == '\\') {
                sb.append('\\').appendCodePoint(cp);
            } else if (Character.isISOControl(cp)) {
                sb.append(String.format("\\u%04x", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.append('"').toString();
    }

    static Optional<ConfigKey> find(Scope scope, String word) {
        return Optional.ofNullable(BY_SCOPE.get(scope).get(word));
    }

    /** The key words allowed in {@code scope}, in table order. */
    static List<String> words(Scope scope) {
        return new ArrayList<>(BY_SCOPE.get(scope).keySet());
    }

    private static Map<Scope, Map<String, ConfigKey>> index() {
        Map<Scope, Map<String, ConfigKey>> map = new EnumMap<>(Scope.class);
        for (Scope s : Scope.values()) {
            map.put(s, new LinkedHashMap<>());
        }
        for (ConfigKey k : values()) {
            if (map.get(k.scope).put(k.word, k) != null) {
                throw new IllegalStateException("duplicate config key " + k.scope + "." + k.word);
            }
        }
        map.replaceAll((s, m) -> Collections.unmodifiableMap(m));
        return Collections.unmodifiableMap(map);
    }
}
