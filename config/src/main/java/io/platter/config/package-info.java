/**
 * The daemon's configuration model (server settings, portals, targets, LUNs, volumes, ACLs and CHAP credentials) as immutable records,
 * and {@link io.platter.config.ConfigLoader}, which reads it from a YAML file through Apache Commons
 * Configuration and reports every problem in the file at once. iSCSI names are checked against
 * RFC 7143 §4.2.7, CHAP secrets against §12.1.3; portal addresses follow RFC 7143 §4.2.2 ({@code host:port}, default port 3260).
 * {@link io.platter.config.ConfigWriter} renders a configuration as YAML: whole (an export), or its object sections
 * for the daemon's catalog ({@code io.platter.config.catalog}); the daemon never writes the operator's file.
 * {@link io.platter.config.PrivateFiles} keeps a file holding a secret closed to other users.
 */
package io.platter.config;
