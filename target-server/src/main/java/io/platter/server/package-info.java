/**
 * The daemon: turns a configuration into open logical units and listening portals
 * ({@code platter serve}, one per data directory: {@link io.platter.server.DataDirLock}), the Netty
 * server bootstrap and the command-line entry point.
 */
package io.platter.server;
