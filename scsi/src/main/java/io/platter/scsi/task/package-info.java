/**
 * The logical unit's task machinery (SAM-5 §4.6.3, §8): one {@link io.platter.scsi.task.Task} per
 * command and the one executor of every command's {@link io.platter.scsi.task.Plan} (admission,
 * write protect, range locks, the medium fence, residuals, completion), the task set's attribute
 * rules, and what handlers see of a unit ({@link io.platter.scsi.task.UnitContext}).
 */
package io.platter.scsi.task;
