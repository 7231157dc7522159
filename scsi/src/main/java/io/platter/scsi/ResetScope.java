package io.platter.scsi;

/** What a reset task management function reaches (SAM-5 §7.7 LOGICAL UNIT RESET, §7.10/7.11 target resets). */
public enum ResetScope {
    /** One logical unit. */
    LOGICAL_UNIT,
    /** Every logical unit of the target. */
    TARGET
}
