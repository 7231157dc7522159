/**
 * The SPC-5 commands of a direct access unit (INQUIRY, MODE SELECT/SENSE, LOG SENSE, REPORT LUNS,
 * REQUEST SENSE, TEST UNIT READY, the maintenance-in reports) and reservations: SPC-2 RESERVE and
 * RELEASE and the persistent reservation commands (SPC-5 §5.14, §6.15-§6.16). Each handler plans;
 * the task executes.
 */
package io.platter.scsi.spc;
