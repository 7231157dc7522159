/**
 * Image drivers: one table ({@link io.platter.lun.image.ImageDrivers}) keyed by
 * {@link io.platter.lun.image.ImageType}, each driver able to create, open and probe its kind of
 * image and, optionally, to offer a capability such as {@link io.platter.lun.image.ImageSnapshots}.
 * Callers (the daemon, the management API) ask the table instead of branching on a format or
 * casting a {@link io.platter.lun.BlockDevice} to an implementation class; this is the seam a
 * network block backend (Ceph RBD) plugs into next.
 *
 * <p>This package knows nothing of the configuration module: the server maps its own format and
 * provisioning words onto {@link io.platter.lun.image.ImageType} once.
 */
package io.platter.lun.image;
