/**
 * The {@code platter} commands that talk to a running daemon through its management API
 * ({@link io.platter.server.manage}): volumes, snapshots, clones, targets, LUN mappings,
 * sessions, login blocks, status and reload. Each prints a table, or the API's JSON with {@code --json}.
 * Also what keeps a call short (a lean JSON codec, the class-data archive's training run) and what
 * is generated from the command definitions: docs/cli.md, man pages, completion, {@code help}.
 */
package io.platter.server.cli;
