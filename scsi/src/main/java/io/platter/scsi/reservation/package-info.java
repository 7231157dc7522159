/**
 * Reservations of a logical unit: SPC-2 RESERVE/RELEASE (SPC-2 §5.5.1, with the SPC-5 §5.14.3
 * exceptions), persistent reservations (SPC-5 §5.14), the conflict rules of SPC-5 §5.14.1 table 60
 * as a column of the opcode table, and the APTPL store. The conflict check reads one published
 * immutable state without locking; changes run one at a time per unit through a non-blocking
 * {@link io.platter.scsi.reservation.Turnstile}.
 */
package io.platter.scsi.reservation;
