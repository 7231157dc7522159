/**
 * The opcode table (SPC-5 §4.2.5, SAM-5 §5.2): {@link io.platter.scsi.command.CommandSpec} rows
 * with each command's CDB length, usage mask, data direction, handler and the columns every
 * command obeys (medium access, reservation conflicts, unit attentions), gathered from the rows of
 * each standard's package, and the CDB field helpers the handlers share.
 */
package io.platter.scsi.command;
