package io.platter.scsi.sense;

/**
 * The task error tier: a command ends in CHECK CONDITION with this sense. Thrown by parsers and
 * handlers, converted once into status and sense bytes by the command's task. Carries no stack
 * trace: it is a normal outcome, not a bug.
 */
public final class CheckConditionException extends Exception {

    private final Sense sense;
    private final FieldPointer fieldPointer;
    private final Long information;

    /** @param fieldPointer the sense-key specific field pointer, or {@code null} */
    public CheckConditionException(Sense sense, FieldPointer fieldPointer) {
        this(sense, fieldPointer, null);
    }

    public CheckConditionException(Sense sense) {
        this(sense, null, null);
    }

    /** @param information the INFORMATION field (e.g. a miscompare offset), or {@code null} */
    public CheckConditionException(Sense sense, FieldPointer fieldPointer, Long information) {
        super(sense.name(), null, false, false);
        this.sense = sense;
        this.fieldPointer = fieldPointer;
        this.information = information;
    }

    public static CheckConditionException invalidCdbField(int byteOffset) {
        return new CheckConditionException(Sense.INVALID_FIELD_IN_CDB, FieldPointer.cdb(byteOffset));
    }

    public static CheckConditionException invalidCdbField(int byteOffset, int bit) {
        return new CheckConditionException(Sense.INVALID_FIELD_IN_CDB, FieldPointer.cdb(byteOffset, bit));
    }

    public static CheckConditionException invalidParameter(int byteOffset, int bit) {
        return new CheckConditionException(Sense.INVALID_FIELD_IN_PARAMETER_LIST,
                FieldPointer.parameter(byteOffset, bit));
    }

    public Sense sense() {
        return sense;
    }

    /** The field pointer, or {@code null}. */
    public FieldPointer fieldPointer() {
        return fieldPointer;
    }

    /** The INFORMATION field, or {@code null}. */
    public Long information() {
        return information;
    }
}
