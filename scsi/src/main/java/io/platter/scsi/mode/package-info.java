/**
 * Mode parameters (SPC-5 §7.5, SBC-4 §6.5): the per-unit changeable state and one class per
 * mode page, listed once in {@link io.platter.scsi.mode.ModePages}.
 */
package io.platter.scsi.mode;
