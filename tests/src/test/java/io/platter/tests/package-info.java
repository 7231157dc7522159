/**
 * End-to-end tests of the Platter daemon against real userspace initiators on loopback
 * (libiscsi tools and its iscsi-test-cu conformance suite, qemu-img/qemu-io over iscsi://, the
 * Linux kernel initiator in a QEMU VM),
 * hand-built malformed PDUs (RFC 7143 §11), and the layer rules of DESIGN.md.
 */
package io.platter.tests;
