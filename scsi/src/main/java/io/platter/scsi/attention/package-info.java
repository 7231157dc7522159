/**
 * Unit attention conditions (SAM-5 §5.14, SPC-5 §4.4.5 precedence): one queue per I_T nexus
 * per logical unit, the API other code uses to raise them, and what resets do to them.
 */
package io.platter.scsi.attention;
