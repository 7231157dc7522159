/**
 * The copy manager (SPC-4 §5.17, VMware XCOPY): EXTENDED COPY(LID1) with its parameter list,
 * the copy job that moves data between units in steps under each unit's rules, and RECEIVE COPY
 * RESULTS with the held copy results; and the ROD token copy manager of Windows ODX (SBC-4 POPULATE
 * TOKEN and WRITE USING TOKEN, SPC-5 RECEIVE ROD TOKEN INFORMATION): keyed-MAC tokens, their
 * registry and the per-unit watch that cancels a token when its source is written.
 */
package io.platter.scsi.copy;
