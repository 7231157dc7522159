package io.platter.lun.qcow2;

import io.platter.lun.BlockDeviceException;

/** The image file is not a qcow2 image Platter can use: malformed, hostile or using an unsupported feature. */
public final class Qcow2FormatException extends BlockDeviceException {

    public Qcow2FormatException(String message) {
        super(message);
    }
}
