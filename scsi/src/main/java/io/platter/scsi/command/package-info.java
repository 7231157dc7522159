/**
 * Command dispatch and the command handlers (SPC-5, SBC-4): the opcode table of
 * {@link io.platter.scsi.command.CommandSpec}s, CDB checking against each command's usage mask,
 * and one small handler per command. Handlers parse and check on the calling thread and run
 * block I/O only on the logical unit's I/O executor, through {@link io.platter.scsi.command.Task}.
 */
package io.platter.scsi.command;
