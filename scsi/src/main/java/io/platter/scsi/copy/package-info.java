/**
 * The copy manager (SPC-4 §5.17, VMware XCOPY): EXTENDED COPY(LID1) with its parameter list,
 * the copy job that moves data between units in steps under each unit's rules, and RECEIVE COPY
 * RESULTS with the held copy results.
 */
package io.platter.scsi.copy;
