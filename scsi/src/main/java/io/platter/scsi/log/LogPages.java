package io.platter.scsi.log;

import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.task.UnitContext;
import java.util.List;

/**
 * The supported log pages in ascending (page, subpage) order, as the supported pages pages list
 * them (SPC-5 §7.3.18, §7.3.19). Checks itself for duplicates and order.
 */
public final class LogPages {

    /** Subpage code FFh: the supported pages and subpages page, with page code 00h. */
    public static final int ALL_SUBPAGES = 0xFF;

    /** Where LOG SENSE carries the PARAMETER POINTER (SPC-5 §6.10), for field pointers. */
    public static final int PARAMETER_POINTER_BYTE = 5;

    private static final int SPF = 0x40;
    private static final int DS = 0x80;

    private static final List<LogPage> PAGES = List.of(
            new SupportedLogPages(false), new SupportedLogPages(true), new LogicalBlockProvisioningLog());

    static {
        for (int i = 1; i < PAGES.size(); i++) {
            if (key(PAGES.get(i)) <= key(PAGES.get(i - 1))) {
                throw new ExceptionInInitializerError("log pages duplicated or out of order at " + i);
            }
        }
    }

    private LogPages() {
    }

    private static int key(LogPage p) {
        return p.pageCode() << 8 | p.subpageCode();
    }

    public static List<LogPage> all() {
        return PAGES;
    }

    /** The page for a page and subpage code, or null. */
    public static LogPage find(int pageCode, int subpageCode) {
        for (LogPage p : PAGES) {
            if (p.pageCode() == pageCode && p.subpageCode() == subpageCode) {
                return p;
            }
        }
        return null;
    }

    /** The whole page: the 4-byte header (SPC-5 §7.3.2.1, table 390) and its body. */
    public static byte[] build(LogPage page, UnitContext unit, int parameterPointer) throws CheckConditionException {
        byte[] body = page.body(unit, parameterPointer);
        byte[] out = new byte[4 + body.length];
        out[0] = (byte) ((page.disableSave() ? DS : 0) | (page.subpageCode() != 0 ? SPF : 0) | page.pageCode());
        out[1] = (byte) page.subpageCode();
        out[2] = (byte) (body.length >>> 8);
        out[3] = (byte) body.length;
        System.arraycopy(body, 0, out, 4, body.length);
        return out;
    }
}
