package io.platter.scsi.sense;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.platter.lun.BlockDeviceException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class SenseDataTest {

    @Test
    void fixedFormatWithFieldPointer() {
        byte[] b = SenseData.build(Sense.INVALID_FIELD_IN_CDB, FieldPointer.cdb(2, 5), null, false);
        // 70 | 00 | key 05 | info 00000000 | add len 0A | cmd-specific 00000000 | ASC 24 ASCQ 00 | FRU 00
        // | SKSV+C/D+BPV+bit5 = CD | field pointer 0002
        assertThat(ByteBufUtil.hexDump(b)).isEqualTo("700005000000000a00000000240000cd0002");
    }

    @Test
    void fixedFormatWithInformationSetsValid() {
        byte[] b = SenseData.build(Sense.MISCOMPARE_DURING_VERIFY, null, 0x1234L, false);
        assertThat(ByteBufUtil.hexDump(b)).isEqualTo("f0000e000012340a000000001d0000000000");
    }

    @Test
    void descriptorFormatWithInformationAndSenseKeySpecific() {
        byte[] b = SenseData.build(Sense.INVALID_FIELD_IN_PARAMETER_LIST, FieldPointer.parameter(0x10, -1),
                0x0102030405060708L, true);
        assertThat(ByteBufUtil.hexDump(b)).isEqualTo(
                "72052600000000" + "14"                // header, additional length 20
                        + "000a8000" + "0102030405060708"  // information descriptor, VALID
                        + "02060000" + "800010" + "00");   // SKS descriptor, SKSV, C/D 0, pointer 0010
    }

    @Test
    void descriptorFormatWithoutExtras() {
        assertThat(ByteBufUtil.hexDump(SenseData.build(Sense.NO_SENSE, null, null, true)))
                .isEqualTo("7200000000000000");
    }

    @Test
    void storageErrorsMapEverySubtype() {
        IOException cause = new IOException("x");
        assertThat(StorageErrors.sense(new BlockDeviceException.OutOfRange(0, 1, 0), StorageErrors.Access.READ))
                .isEqualTo(Sense.LBA_OUT_OF_RANGE);
        assertThat(StorageErrors.sense(new BlockDeviceException.NoSpace("x", cause), StorageErrors.Access.WRITE))
                .isEqualTo(Sense.SPACE_ALLOCATION_FAILED_WRITE_PROTECT);
        assertThat(StorageErrors.sense(new BlockDeviceException.ReadOnly("x"), StorageErrors.Access.WRITE))
                .isEqualTo(Sense.WRITE_PROTECTED);
        assertThat(StorageErrors.sense(new BlockDeviceException.MediumError("x", cause), StorageErrors.Access.READ))
                .isEqualTo(Sense.UNRECOVERED_READ_ERROR);
        assertThat(StorageErrors.sense(new BlockDeviceException.MediumError("x", cause), StorageErrors.Access.WRITE))
                .isEqualTo(Sense.WRITE_ERROR);
        assertThat(StorageErrors.sense(new BlockDeviceException("x"), StorageErrors.Access.READ))
                .isEqualTo(Sense.INTERNAL_TARGET_FAILURE);
    }

    @Test
    void senseTableRowsMatchSpc5() {
        assertThat(Sense.SPACE_ALLOCATION_FAILED_WRITE_PROTECT.key()).isEqualTo(SenseKey.DATA_PROTECT);
        assertThat(Sense.SPACE_ALLOCATION_FAILED_WRITE_PROTECT.ascq()).isEqualTo(0x07);
        assertThat(Sense.MISCOMPARE_DURING_VERIFY.key().wire()).isEqualTo(0xE);
        assertThat(Sense.INTERNAL_TARGET_FAILURE.key().wire()).isEqualTo(0x4);
        assertThat(Sense.values()).hasSizeGreaterThan(14);
    }
}
