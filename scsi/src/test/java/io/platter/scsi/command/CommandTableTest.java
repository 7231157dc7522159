package io.platter.scsi.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import io.platter.scsi.task.MediumAccess;
import io.platter.scsi.task.Task;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CommandTableTest {

    /** CDB length from the group code, bits 7:5 of the operation code (SPC-5 §4.2.5.1, table 8). */
    private static int groupLength(int opcode) {
        return switch (opcode >>> 5) {
            case 0 -> 6;
            case 1, 2 -> 10;
            case 4 -> 16;
            case 5 -> 12;
            default -> -1;
        };
    }

    @Test
    void everyRowHasAHandlerAndTheLengthOfItsGroupCode() {
        assertThat(CommandTable.rows()).isNotEmpty().allSatisfy(spec -> {
            assertThat(spec.handler()).as(spec.name()).isNotNull();
            assertThat(spec.cdbLength()).as(spec.name()).isEqualTo(groupLength(spec.opcode()));
            assertThat(spec.usageMask(0)).as(spec.name()).isEqualTo(0xFF);
            assertThat(spec.usageMask(spec.cdbLength() - 1)).as(spec.name() + " control").isEqualTo(0xC0);
            assertThat(spec.direction()).isNotNull();
        });
    }

    /**
     * The medium rules hold by construction: a row that reads or writes the medium plans its I/O
     * (so the executor takes its range, fences its writes), only the rows SAM-5 §5.14 names skip
     * a pending unit attention, and reads and writes name the reservation column that fits them.
     */
    @Test
    void mediumAndUnitAttentionColumnsMatchTheHandlers() throws Exception {
        for (CommandSpec spec : CommandTable.rows()) {
            Class<?> declaring = spec.handler().getClass().getMethod("plan", Task.class).getDeclaringClass();
            if (spec.medium() != MediumAccess.NONE) {
                assertThat(declaring).as(spec.name() + " plans its medium access").isNotEqualTo(CommandHandler.class);
            }
        }
        assertThat(CommandTable.rows().stream().filter(CommandSpec::allowedWithUnitAttention).map(CommandSpec::name))
                .containsExactlyInAnyOrder("INQUIRY", "REQUEST SENSE", "REPORT LUNS");
        assertThat(CommandTable.rows().stream().filter(s -> s.medium() == MediumAccess.READ).map(CommandSpec::name))
                .containsExactlyInAnyOrder("READ(6)", "READ(10)", "READ(12)", "READ(16)",
                        "VERIFY(10)", "VERIFY(12)", "VERIFY(16)",
                        "POPULATE TOKEN");
    }

    @Test
    void noDuplicateOpcodeServiceActionPairsAndFindReturnsEachRow() {
        Set<Integer> keys = new HashSet<>();
        for (CommandSpec spec : CommandTable.rows()) {
            assertThat(keys.add(spec.opcode() << 8 | (spec.serviceAction() & 0xff))).as(spec.name()).isTrue();
            assertThat(CommandTable.find(spec.opcode(), Math.max(spec.serviceAction(), 0))).isSameAs(spec);
        }
    }

    @Test
    void serviceActionOpcodeKeepsTheServiceActionBitsInItsMask() {
        CommandSpec rc16 = CommandTable.find(0x9E, 0x10);
        assertThat(rc16.name()).isEqualTo("READ CAPACITY(16)");
        assertThat(rc16.usageMask(1) & 0x1F).isEqualTo(0x1F);
        assertThat(CommandTable.find(0x9E, 0x11)).isNull();
    }

    @Test
    void resolveReportsUnknownOpcodeServiceActionAndUnmappedLun() {
        assertSense(() -> CommandTable.resolve(new byte[] {(byte) 0xC7, 0, 0, 0, 0, 0}, true),
                Sense.INVALID_COMMAND_OPERATION_CODE);
        assertSense(() -> CommandTable.resolve(new byte[16], false), Sense.LOGICAL_UNIT_NOT_SUPPORTED);
        assertSense(() -> CommandTable.resolve(new byte[0], true), Sense.INVALID_COMMAND_OPERATION_CODE);
        byte[] sa = new byte[16];
        sa[0] = (byte) 0x9E;
        sa[1] = 0x1F;
        assertSense(() -> CommandTable.resolve(sa, true), Sense.INVALID_FIELD_IN_CDB);
    }

    @Test
    void usageMaskRejectsTheHighestStrayBitWithAFieldPointer() {
        CommandSpec read10 = CommandTable.find(0x28, 0);
        byte[] cdb = new byte[10];
        cdb[0] = 0x28;
        cdb[1] = (byte) 0x60; // RDPROTECT bits set
        assertThatThrownBy(() -> read10.check(cdb)).isInstanceOfSatisfying(CheckConditionException.class, e -> {
            assertThat(e.sense()).isEqualTo(Sense.INVALID_FIELD_IN_CDB);
            assertThat(e.fieldPointer().byteOffset()).isEqualTo(1);
            assertThat(e.fieldPointer().bit()).isEqualTo(6);
            assertThat(e.fieldPointer().inCdb()).isTrue();
        });
        cdb[1] = 0;
        cdb[9] = 0x04; // NACA
        assertThatThrownBy(() -> read10.check(cdb)).isInstanceOfSatisfying(CheckConditionException.class,
                e -> assertThat(e.fieldPointer().byteOffset()).isEqualTo(9));
    }

    @Test
    void shortCdbIsInvalidField() {
        assertSense(() -> CommandTable.find(0x88, 0).check(new byte[10]), Sense.INVALID_FIELD_IN_CDB);
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void assertSense(Call call, Sense expected) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(CheckConditionException.class,
                e -> assertThat(e.sense()).isEqualTo(expected));
    }
}
