/**
 * JMH microbenchmarks of Platter's hot paths: the iSCSI PDU codec (RFC 7143 §11), the CRC32C
 * digests (RFC 7143 §13.1) and SCSI opcode dispatch through the target core (SPC-5 / SBC-4).
 * Built only with {@code -Pjmh}; run with {@code tests/bench/jmh/run}.
 */
package io.platter.bench;
