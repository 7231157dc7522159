package io.platter.scsi.mode;

import java.util.List;

/** The supported mode pages in ascending page code order, as 3Fh (all pages) returns them (SPC-5 §6.13.1). */
public final class ModePages {

    /** Page code 3Fh: return all pages. */
    public static final int ALL_PAGES = 0x3F;
    /** Subpage code FFh: all subpages. */
    public static final int ALL_SUBPAGES = 0xFF;

    private static final List<ModePage> PAGES = List.of(
            new ReadWriteErrorRecoveryPage(), new CachingPage(), new ControlPage(),
            new InformationalExceptionsPage());

    static {
        for (int i = 1; i < PAGES.size(); i++) {
            if (PAGES.get(i).pageCode() <= PAGES.get(i - 1).pageCode()) {
                throw new ExceptionInInitializerError("mode pages duplicated or out of order at " + i);
            }
        }
    }

    private ModePages() {
    }

    public static List<ModePage> all() {
        return PAGES;
    }

    /** The page for a code, or null. */
    public static ModePage find(int pageCode) {
        for (ModePage p : PAGES) {
            if (p.pageCode() == pageCode) {
                return p;
            }
        }
        return null;
    }
}
