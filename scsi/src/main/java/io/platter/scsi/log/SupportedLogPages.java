package io.platter.scsi.log;

import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.task.UnitContext;
import java.util.Arrays;
import java.util.List;

/**
 * Supported Log Pages, 00h (SPC-5 §7.3.18: one page code per byte), and Supported Log Pages and
 * Subpages, 00h/FFh (§7.3.19: page code and subpage code per entry). Neither has parameters, so
 * any PARAMETER POINTER but zero is INVALID FIELD IN CDB.
 */
final class SupportedLogPages implements LogPage {

    private final boolean withSubpages;

    SupportedLogPages(boolean withSubpages) {
        this.withSubpages = withSubpages;
    }

    @Override
    public int pageCode() {
        return 0x00;
    }

    @Override
    public int subpageCode() {
        return withSubpages ? LogPages.ALL_SUBPAGES : 0;
    }

    @Override
    public boolean disableSave() {
        return false;
    }

    @Override
    public byte[] body(UnitContext unit, int parameterPointer) throws CheckConditionException {
        if (parameterPointer != 0) {
            throw CheckConditionException.invalidCdbField(LogPages.PARAMETER_POINTER_BYTE);
        }
        List<LogPage> pages = LogPages.all();
        byte[] b = new byte[(withSubpages ? 2 : 1) * pages.size()];
        int n = 0;
        for (LogPage p : pages) {
            if (withSubpages) {
                b[n++] = (byte) p.pageCode();
                b[n++] = (byte) p.subpageCode();
            } else if (p.subpageCode() == 0) {
                b[n++] = (byte) p.pageCode();
            }
        }
        return Arrays.copyOf(b, n);
    }
}
