package io.platter.config;

import java.util.List;
import java.util.Objects;

/**
 * One iSCSI target node, the LUNs it exposes and who may log in to it.
 *
 * @param iqn   the target name (RFC 7143 §4.2.7), lower-cased
 * @param alias the TargetAlias sent at login (RFC 7143 §13.7), or {@code null}
 * @param luns  LUNs in file order, ids unique
 * @param chap  the CHAP credentials every login must prove, or {@code null} for no authentication
 * @param acl   initiator names allowed to log in, lower-cased and unique; empty allows everyone
 */
public record TargetConfig(String iqn, String alias, List<LunConfig> luns, ChapCredentials chap, List<String> acl) {

    public TargetConfig {
        iqn = IscsiNames.normalize(Objects.requireNonNull(iqn, "iqn"));
        luns = List.copyOf(luns);
        acl = acl.stream().map(IscsiNames::normalize).distinct().toList();
    }

    /** A target anyone may log in to without authentication. */
    public TargetConfig(String iqn, String alias, List<LunConfig> luns) {
        this(iqn, alias, luns, null, List.of());
    }

    /** This target with {@code newChap} (null for no authentication). */
    public TargetConfig withChap(ChapCredentials newChap) {
        return new TargetConfig(iqn, alias, luns, newChap, acl);
    }

    /** This target with {@code newAcl} (empty allows everyone). */
    public TargetConfig withAcl(List<String> newAcl) {
        return new TargetConfig(iqn, alias, luns, chap, newAcl);
    }
}
