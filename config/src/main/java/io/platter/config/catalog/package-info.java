/**
 * The daemon's catalog: the objects made through the CLI and the management API (targets, LUN
 * mappings, volumes, ACLs, CHAP), kept apart from the operator's config file, which the daemon never
 * writes. {@link io.platter.config.catalog.Catalog} is the interface (generations with an epoch
 * check, so a shared catalog can take its place); {@link io.platter.config.catalog.FileCatalog}
 * keeps each generation as one atomic 0600 file under {@code <data-dir>/catalog/};
 * {@link io.platter.config.catalog.Layers} merges the file's declared objects with the catalog's and
 * refuses changes to declared ones. Why atomic files and not SQLite: docs/catalog.md.
 */
package io.platter.config.catalog;
