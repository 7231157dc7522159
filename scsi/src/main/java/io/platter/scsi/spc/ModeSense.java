package io.platter.scsi.spc;

import io.platter.scsi.command.Cdb;
import io.platter.scsi.command.CommandHandler;
import io.platter.scsi.mode.ModePage;
import io.platter.scsi.mode.ModePages;
import io.platter.scsi.mode.ModeState;
import io.platter.scsi.mode.PageControl;
import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.task.Plan;
import io.platter.scsi.task.Task;
import io.platter.scsi.task.UnitContext;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * MODE SENSE (6) (SPC-5 §6.13) and (10) (§6.14): the mode parameter header (§7.5.5), a block
 * descriptor unless DBD (short, or long with LLBAA in the 10-byte CDB; SBC-4 §6.5.2) and the
 * requested pages. WP reports software write protect or a read-only device (SBC-4 §6.5.2); DPOFUA
 * is 1 (FUA is honoured).
 */
final class ModeSense implements CommandHandler {

    static final int DPOFUA = 0x10;
    static final int WP = 0x80;
    private static final int SHORT_DESCRIPTOR = 8;
    private static final int LONG_DESCRIPTOR = 16;

    private final boolean ten;

    ModeSense(boolean ten) {
        this.ten = ten;
    }

    @Override
    public Plan plan(Task task) throws CheckConditionException {
        byte[] cdb = task.cdb();
        UnitContext unit = task.unit();
        boolean dbd = Cdb.bit(cdb, 1, 3);
        boolean llbaa = ten && Cdb.bit(cdb, 1, 4);
        PageControl pc = PageControl.fromWire(Cdb.u8(cdb, 2) >> 6);
        int pageCode = Cdb.u8(cdb, 2) & 0x3F;
        int subpage = Cdb.u8(cdb, 3);
        int allocationLength = ten ? Cdb.u16(cdb, 7) : Cdb.u8(cdb, 4);

        List<ModePage> pages = selectPages(pageCode, subpage);
        ModeState state = unit.modeState();
        int headerLength = ten ? 8 : 4;
        int descriptorLength = dbd ? 0 : llbaa ? LONG_DESCRIPTOR : SHORT_DESCRIPTOR;
        int length = headerLength + descriptorLength;
        for (ModePage p : pages) {
            length += p.length();
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        byte deviceSpecific = (byte) (DPOFUA | (unit.writeProtected() ? WP : 0));
        if (ten) {
            b.putShort((short) (length - 2));
            b.put((byte) 0);                       // MEDIUM TYPE
            b.put(deviceSpecific);
            b.put((byte) (llbaa && !dbd ? 1 : 0)); // LONGLBA
            b.put((byte) 0);
            b.putShort((short) descriptorLength);
        } else {
            b.put((byte) (length - 1));
            b.put((byte) 0);
            b.put(deviceSpecific);
            b.put((byte) descriptorLength);
        }
        long blocks = unit.blockCount();
        if (descriptorLength == SHORT_DESCRIPTOR) {
            b.putInt((int) Math.min(blocks, 0xFFFF_FFFFL));
            b.putInt(unit.blockSize());            // byte 4 reserved, bytes 5-7 LOGICAL BLOCK LENGTH
        } else if (descriptorLength == LONG_DESCRIPTOR) {
            b.putLong(blocks);
            b.putInt(0);
            b.putInt(unit.blockSize());
        }
        for (ModePage p : pages) {
            b.put(p.encode(state, pc));
        }
        return Plan.reply(b.array(), allocationLength);
    }

    /** Pages for PAGE CODE and SUBPAGE CODE (SPC-5 §6.13.1, table 186); only subpage 00h exists. */
    private static List<ModePage> selectPages(int pageCode, int subpage) throws CheckConditionException {
        if (subpage != 0 && subpage != ModePages.ALL_SUBPAGES) {
            throw CheckConditionException.invalidCdbField(3);
        }
        if (pageCode == ModePages.ALL_PAGES) {
            return ModePages.all();
        }
        ModePage page = ModePages.find(pageCode);
        if (page == null) {
            throw CheckConditionException.invalidCdbField(2, 5);
        }
        return List.of(page);
    }
}
