package io.platter.scsi.spc;

import io.netty.buffer.ByteBuf;
import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.mode.ModePage;
import io.platter.scsi.mode.ModePages;
import io.platter.scsi.mode.ModeState;
import io.platter.scsi.mode.PageControl;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.sense.StorageErrors;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;
import io.platter.scsi.task.UnitContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MODE SELECT (6) (SPC-5 §6.11) and (10) (§6.12). The whole parameter list is checked before
 * anything changes: header (§7.5.5), block descriptors (logical block length must stay 512;
 * the block count is ignored, since capacity changes through resize, not here) and pages, whose
 * unchangeable bits must equal the current values. With SP=1 the new values become current and
 * the saveable ones (WCE of the caching page) are then saved, on the I/O executor, through the
 * unit's {@link io.platter.scsi.mode.ModeStore}; a failed save is INTERNAL TARGET FAILURE with the
 * current values already changed.
 */
final class ModeSelect implements CommandHandler {

    private static final Logger log = LoggerFactory.getLogger(ModeSelect.class);
    private static final int SP_BYTE = 1;
    private static final int SP_BIT = 0;

    private final boolean ten;

    ModeSelect(boolean ten) {
        this.ten = ten;
    }

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        boolean save = Cdb.bit(cdb, SP_BYTE, SP_BIT);
        int listLength = ten ? Cdb.u16(cdb, 7) : Cdb.u8(cdb, 4);
        if (listLength == 0) {
            return finish(task, save, () -> null);
        }
        ByteBuf dataOut = task.dataOut();
        int headerLength = ten ? 8 : 4;
        if (dataOut == null || dataOut.readableBytes() < listLength || listLength < headerLength) {
            throw new CheckConditionException(Sense.PARAMETER_LIST_LENGTH_ERROR);
        }
        byte[] list = new byte[listLength];  // a few dozen bytes of parameters, not the data path
        dataOut.getBytes(dataOut.readerIndex(), list);

        UnitContext unit = task.unit();
        int mediumTypeAt = ten ? 2 : 1;
        if (list[mediumTypeAt] != 0) {
            throw CheckConditionException.invalidParameter(mediumTypeAt, Cdb.highestBit(list[mediumTypeAt]));
        }
        int descriptorsLength = ten ? Cdb.u16(list, 6) : Cdb.u8(list, 3);
        boolean longLba = ten && Cdb.bit(list, 4, 0);
        checkDescriptors(list, headerLength, descriptorsLength, longLba ? 16 : 8, unit);

        ModeState state = unit.modeState();
        List<Integer> offsets = new ArrayList<>();
        List<ModePage> pages = new ArrayList<>();
        int at = headerLength + descriptorsLength;
        while (at < listLength) {
            ModePage page = checkPage(list, at, state);
            pages.add(page);
            offsets.add(at);
            at += page.length();
        }
        return finish(task, save, () -> {
            boolean wce = state.writeCacheEnabled();
            boolean dsense = state.descriptorSense();
            boolean swp = state.softwareWriteProtect();
            for (int i = 0; i < pages.size(); i++) {
                pages.get(i).apply(list, offsets.get(i), state);
            }
            if ((wce != state.writeCacheEnabled() || dsense != state.descriptorSense()
                    || swp != state.softwareWriteProtect()) && task.command().nexus() != null) {
                // SPC-5 §6.11: the other I_T nexuses learn of the change through a unit attention.
                unit.unitAttentions().raiseOthers(task.command().nexus(), Sense.MODE_PARAMETERS_CHANGED);
            }
            return null;
        });
    }

    /** Applies the checked parameters ({@code apply}) and, with SP=1, then saves them on the I/O executor. */
    private static Plan finish(Task task, boolean save, Task.IoWork apply) {
        if (!save) {
            return Plan.control(-1, StorageErrors.Access.WRITE, apply, null);
        }
        ModeState state = task.unit().modeState();
        return Plan.control(-1, StorageErrors.Access.WRITE, apply, () -> {
            try {
                state.saveCurrent();
            } catch (IOException e) {
                log.warn("saving mode parameters failed", e);
                throw new CheckConditionException(Sense.INTERNAL_TARGET_FAILURE);
            }
            return null;
        });
    }

    private void checkDescriptors(byte[] list, int at, int length, int size, UnitContext unit)
            throws CheckConditionException {
        int lengthField = ten ? 6 : 3;
        if (length % size != 0) {
            throw CheckConditionException.invalidParameter(lengthField + (ten ? 1 : 0), -1);
        }
        if (at + length > list.length) {
            throw new CheckConditionException(Sense.PARAMETER_LIST_LENGTH_ERROR);
        }
        for (int d = at; d < at + length; d += size) {
            int blockLengthAt = size == 16 ? d + 12 : d + 5;
            long blockLength = size == 16 ? Cdb.u32(list, blockLengthAt) : Cdb.u24(list, blockLengthAt);
            if (blockLength != unit.blockSize()) {
                throw CheckConditionException.invalidParameter(blockLengthAt, -1);
            }
        }
    }

    private static ModePage checkPage(byte[] list, int at, ModeState state) throws CheckConditionException {
        if (at + 2 > list.length) {
            throw new CheckConditionException(Sense.PARAMETER_LIST_LENGTH_ERROR);
        }
        if (Cdb.bit(list, at, 6)) {
            throw CheckConditionException.invalidParameter(at, 6);  // SPF: no subpages exist
        }
        ModePage page = ModePages.find(list[at] & 0x3F);
        if (page == null) {
            throw CheckConditionException.invalidParameter(at, 5);
        }
        if (Cdb.u8(list, at + 1) + 2 != page.length()) {
            throw CheckConditionException.invalidParameter(at + 1, -1);
        }
        if (at + page.length() > list.length) {
            throw new CheckConditionException(Sense.PARAMETER_LIST_LENGTH_ERROR);
        }
        byte[] current = page.encode(state, PageControl.CURRENT);
        byte[] changeable = page.encode(state, PageControl.CHANGEABLE);
        for (int i = 2; i < page.length(); i++) {
            int stray = (list[at + i] ^ current[i]) & ~changeable[i] & 0xff;
            if (stray != 0) {
                throw CheckConditionException.invalidParameter(at + i, Cdb.highestBit(stray));
            }
        }
        return page;
    }
}
