/**
 * The block device SPI: an image file seen as a linear array of bytes with read, write,
 * flush and discard, and its implementations (raw thick and thin {@link io.platter.lun.RawImage},
 * in-memory {@link io.platter.lun.MemoryBlockDevice}), the host-file layer every file image
 * stands on ({@link io.platter.lun.HostFile}: interrupt-safe positional I/O, punch/zero,
 * SEEK_DATA, RWF_NOWAIT, and QEMU's image locks, {@link io.platter.lun.ImageLock}), plus the
 * persistent per-image {@link io.platter.lun.ImageIdentity}.
 * Callers above reach images through the driver table in {@code io.platter.lun.image}. Knows nothing of SCSI: offsets and lengths are in bytes,
 * failures are {@link io.platter.lun.BlockDeviceException}s.
 */
package io.platter.lun;
