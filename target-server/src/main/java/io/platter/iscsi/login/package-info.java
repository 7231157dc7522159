/**
 * iSCSI login and text negotiation (RFC 7143 §6, §13; RFC 7144): the text key=value codec,
 * the table of negotiable keys with their rules, and the login stage machine.
 */
package io.platter.iscsi.login;
