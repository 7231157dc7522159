package io.platter.tests.support;

/** Verdict of one libiscsi {@code iscsi-test-cu} test, as in the pinned-results file. */
public enum ConformanceStatus {
    /** CUnit "passed" with no {@code [SKIPPED]} line inside the test. */
    PASS,
    /** CUnit "FAILED". */
    FAIL,
    /** CUnit "passed" after the test logged {@code [SKIPPED]} (libiscsi's CU_PASS convention). */
    SKIP,
    /** The test started but printed no verdict (crash, timeout, lost connection). */
    UNKNOWN
}
