/**
 * Sense data (SPC-5 §4.4): the one table of sense reasons, the task-tier
 * {@link io.platter.scsi.sense.CheckConditionException}, the fixed and descriptor encodings, and
 * the single mapping from storage failures to sense.
 */
package io.platter.scsi.sense;
