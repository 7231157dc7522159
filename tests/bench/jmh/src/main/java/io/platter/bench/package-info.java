/**
 * JMH microbenchmarks of Platter's hot paths: the iSCSI PDU codec (RFC 7143 §11), the CRC32C
 * digests (RFC 7143 §13.1), SCSI opcode dispatch through the target core (SPC-5 / SBC-4), and
 * the whole data path of one READ/WRITE from wire bytes to encoded reply.
 * Built only with {@code -Pjmh}; run with {@code tests/bench/jmh/run}.
 */
package io.platter.bench;
