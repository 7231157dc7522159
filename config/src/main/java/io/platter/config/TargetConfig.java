package io.platter.config;

import java.util.List;
import java.util.Objects;

/**
 * One iSCSI target node and the LUNs it exposes.
 *
 * @param iqn   the target name (RFC 7143 §4.2.7), lower-cased
 * @param alias the TargetAlias sent at login (RFC 7143 §13.7), or {@code null}
 * @param luns  LUNs in file order, ids unique
 */
public record TargetConfig(String iqn, String alias, List<LunConfig> luns) {

    public TargetConfig {
        iqn = IscsiNames.normalize(Objects.requireNonNull(iqn, "iqn"));
        luns = List.copyOf(luns);
    }
}
