package io.platter.scsi;

/**
 * An I_T nexus (SAM-5 §4.7): the relationship between one initiator port and one target port.
 * For iSCSI the initiator port is {@code <initiator name>,i,0x<ISID>} and the target port
 * {@code <target name>,t,0x<TPGT>} (RFC 7143 §4.4.1 / SAM-5 transport identifiers).
 */
public record ItNexus(String initiatorPort, String targetPort) {
}
