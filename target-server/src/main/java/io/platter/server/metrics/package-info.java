/**
 * Prometheus exposition of the target (the text format served at {@code /metrics} by the
 * Prometheus Java client 1.x): per-LUN commands, bytes, latency and queue depth, sessions,
 * logins and protocol errors. Every metric is listed in docs/metrics.md.
 */
package io.platter.server.metrics;
