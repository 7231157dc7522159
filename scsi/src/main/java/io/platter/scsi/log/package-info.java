/**
 * Log pages (SPC-5 §7.3, SBC-4 §6.4) returned by LOG SENSE: one class per page, listed once in
 * {@link io.platter.scsi.log.LogPages}. No log parameter is saved or has thresholds.
 */
package io.platter.scsi.log;
