/**
 * QEMU's qcow2 image format (docs/interop/qcow2.txt), version 3 read-write and version 2
 * read-write without zero clusters: pure on-disk structures ({@link io.platter.lun.qcow2.Header},
 * {@link io.platter.lun.qcow2.L2Entry}, {@link io.platter.lun.qcow2.RefcountBlock},
 * {@link io.platter.lun.qcow2.Snapshot}, ...) and the runtime that maps guest clusters, allocates,
 * caches metadata and keeps refcounts ({@link io.platter.lun.qcow2.Qcow2Image}), plus a consistency
 * checker ({@link io.platter.lun.qcow2.Qcow2Check}).
 */
package io.platter.lun.qcow2;
