/**
 * Log output of the daemon: a timestamped line on a terminal, and under systemd (JOURNAL_STREAM
 * set) a line without timestamp that starts with its syslog priority ({@code <6>}, sd-daemon(3)
 * "SD_INFO" prefixes) so the journal records the right level. Either way control characters in
 * messages and exception texts are escaped, so one event is one line and no logged value can
 * forge another line or priority.
 */
package io.platter.server.logging;
