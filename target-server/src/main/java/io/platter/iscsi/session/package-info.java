/**
 * iSCSI sessions and connections (RFC 7143 §4-§7): login on a new connection, then the full
 * feature phase: CmdSN ordering, SCSI command transfer with R2T and Data-Out, Data-In and
 * status, NOP, text, logout and task management, handing commands to the SCSI core.
 */
package io.platter.iscsi.session;
