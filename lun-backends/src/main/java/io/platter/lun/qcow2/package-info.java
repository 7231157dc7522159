/**
 * QEMU's qcow2 image format (docs/interop/qcow2.txt), version 3 read-write and version 2
 * read-write without zero clusters: pure on-disk structures ({@link io.platter.lun.qcow2.Header},
 * {@link io.platter.lun.qcow2.L2Entry}, {@link io.platter.lun.qcow2.RefcountBlock},
 * {@link io.platter.lun.qcow2.Snapshot}, ...) and the runtime: the device
 * ({@link io.platter.lun.qcow2.Qcow2Image}), the metadata state and dirty-metadata journal under
 * one lock ({@link io.platter.lun.qcow2.ClusterMap}), guest I/O through it
 * ({@link io.platter.lun.qcow2.ClusterIo}), plus a consistency checker
 * ({@link io.platter.lun.qcow2.Qcow2Check}).
 */
package io.platter.lun.qcow2;
