package io.platter.scsi.command;

/** Which way a command's data moves (SAM-5 §5.4.3): none, Data-In to the initiator, Data-Out to the target. */
public enum DataDirection { NONE, IN, OUT }
