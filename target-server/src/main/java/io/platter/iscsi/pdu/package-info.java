/**
 * The iSCSI PDU codec (RFC 7143 §11): one record per PDU type, the opcode table, and the Netty
 * decoder and encoder that frame PDUs on a TCP stream with AHS, padding and CRC32C digests.
 */
package io.platter.iscsi.pdu;
