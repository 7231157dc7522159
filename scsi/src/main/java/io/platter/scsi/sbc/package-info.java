/**
 * The SBC-4 commands (§5): reads and writes, WRITE SAME, UNMAP, COMPARE AND WRITE, VERIFY and
 * WRITE AND VERIFY, READ CAPACITY, GET LBA STATUS, SYNCHRONIZE CACHE, PRE-FETCH, START STOP UNIT.
 * Each handler plans its LBA range and I/O; the task takes the range and runs it.
 */
package io.platter.scsi.sbc;
