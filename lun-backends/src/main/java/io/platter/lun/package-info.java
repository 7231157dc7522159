/**
 * The block device SPI: an image file seen as a linear array of bytes with read, write,
 * flush and discard, and its implementations (raw thick, raw thin, in-memory). Knows nothing
 * of SCSI: offsets and lengths are in bytes, failures are {@link io.platter.lun.BlockDeviceException}s.
 */
package io.platter.lun;
