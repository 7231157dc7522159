/**
 * The {@code platter} commands that talk to a running daemon through its management API
 * ({@link io.platter.server.manage}): volumes, snapshots, clones, targets, LUN mappings,
 * sessions, login blocks, status and reload. Each prints a table, or the API's JSON with {@code --json}.
 */
package io.platter.server.cli;
