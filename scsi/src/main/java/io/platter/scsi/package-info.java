/**
 * The SCSI target core (SAM-5, SPC-5, SBC-4): targets and their logical units, the opcode
 * table and command handlers, sense data, VPD and mode pages. Speaks in CDBs, data buffers,
 * status and sense; knows nothing of iSCSI, TCP or Netty channels.
 */
package io.platter.scsi;
