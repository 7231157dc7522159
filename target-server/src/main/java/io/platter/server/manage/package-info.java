/**
 * The management API: volumes (images), snapshots, clones, targets and LUN mappings changed on
 * the running daemon and persisted atomically to its config file, served as JSON over HTTP on a
 * loopback address to callers that present the token in the data directory.
 */
package io.platter.server.manage;
