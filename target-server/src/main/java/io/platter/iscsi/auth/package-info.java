/**
 * Login authentication and authorization: the CHAP exchange of RFC 1994 as RFC 7143 §12.1.3
 * carries it (MD5, and the SHA-1/SHA-256/SHA3-256 algorithms registered since), binary values
 * of RFC 7143 §6.1, a throttle on failed logins per (address, target,
 * user), and the closed set of reasons a login is refused for.
 */
package io.platter.iscsi.auth;
