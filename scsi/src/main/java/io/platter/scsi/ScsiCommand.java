package io.platter.scsi;

import io.netty.buffer.ByteBuf;

/**
 * One SCSI command as the transport hands it to the target core (SAM-5 §5.1 Execute Command
 * request): the nexus, the logical unit number, the CDB, the task attribute, the initiator's
 * expected data transfer length and, for commands that carry data to the target, the whole
 * Data-Out buffer already gathered by the transport.
 *
 * @param lun              the logical unit number decoded from the SAM LUN field
 * @param cdb              the command descriptor block (6 to 260 bytes); not modified
 * @param expectedInLength bytes the initiator can accept as Data-In (0 when none)
 * @param dataOut          Data-Out bytes, or {@code null}; ownership passes to the core,
 *                         which releases it exactly once when the command completes
 */
public record ScsiCommand(ItNexus nexus, int lun, byte[] cdb, TaskAttribute attribute,
                          int expectedInLength, ByteBuf dataOut) {

    /** Operation code (the first CDB byte). */
    public int opcode() {
        return cdb[0] & 0xff;
    }
}
