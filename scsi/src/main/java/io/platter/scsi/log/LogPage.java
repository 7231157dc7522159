package io.platter.scsi.log;

import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.task.UnitContext;

/** One log page (SPC-5 §7.3.2): a page code, subpage code and the bytes after the 4-byte header. */
public interface LogPage {

    int pageCode();

    /** The subpage code; 00h for a page in page_0 format. */
    default int subpageCode() {
        return 0;
    }

    /** DS (disable save): the page's parameters are not saveable. */
    default boolean disableSave() {
        return true;
    }

    /**
     * The page body from the parameter whose code is {@code parameterPointer} on (SPC-5 §6.10).
     * May block on the device (runs on the I/O executor).
     *
     * @throws CheckConditionException INVALID FIELD IN CDB when the pointer is past the last parameter
     */
    byte[] body(UnitContext unit, int parameterPointer) throws CheckConditionException;
}
