/**
 * INQUIRY data (SPC-5 §6.7.2) and the vital product data pages (SPC-5 §7.7, SBC-4 §6.6): one
 * class per page, listed once in {@link io.platter.scsi.vpd.VpdPages}.
 */
package io.platter.scsi.vpd;
