/**
 * Harness for the end-to-end tests: the Platter daemon as a child process
 * ({@link io.platter.tests.support.PlatterProcess}), external initiator tools with timeouts
 * ({@link io.platter.tests.support.Tools}), the Linux kernel initiator VM
 * ({@link io.platter.tests.support.LinuxInitiatorVm}, scripts in {@code tests/vm/}), the libiscsi
 * {@code iscsi-test-cu} console-output parser and pinned-results file, hand-built iSCSI PDUs
 * (RFC 7143 §11) for malformed-input tests, and the load-test initiator
 * ({@link io.platter.tests.support.LoadSession}) with its verifiable slot patterns.
 */
package io.platter.tests.support;
