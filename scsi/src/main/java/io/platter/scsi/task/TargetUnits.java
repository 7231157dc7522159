package io.platter.scsi.task;

import io.platter.scsi.TaskAborter;
import java.util.List;

/**
 * What a command sees of its SCSI target device (SAM-5 §4.6) beyond its own logical unit: the
 * LUN inventory (REPORT LUNS) and the other units by designator (EXTENDED COPY copy targets), and the
 * transport's task abort hook.
 */
public interface TargetUnits {

    /** The mapped LUNs, ascending. */
    List<Integer> luns();

    /** The unit whose NAA designator (VPD page 83h) is {@code naa}, or {@code null}. */
    UnitContext unitByNaa(long naa);

    /** The transport's hook that aborts tasks of given I_T nexuses (PREEMPT AND ABORT). */
    default TaskAborter aborter() {
        return TaskAborter.NONE;
    }
}
