/**
 * The block device SPI: an image file seen as a linear array of bytes with read, write,
 * flush and discard, and its implementations (raw thick and thin {@link io.platter.lun.RawImage},
 * in-memory {@link io.platter.lun.MemoryBlockDevice}), plus the persistent per-image
 * {@link io.platter.lun.ImageIdentity}. Knows nothing of SCSI: offsets and lengths are in bytes,
 * failures are {@link io.platter.lun.BlockDeviceException}s.
 */
package io.platter.lun;
