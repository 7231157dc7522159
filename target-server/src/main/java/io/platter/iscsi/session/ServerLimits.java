package io.platter.iscsi.session;

import java.time.Duration;

/**
 * Bounds that keep one initiator from exhausting the server: command window depth, the largest
 * data transfer of one command, login duration and text sizes.
 *
 * @param commandWindow     commands one session may have in flight (MaxCmdSN - ExpCmdSN + 1)
 * @param maxTransferLength largest expected data transfer length of one command, in bytes
 * @param loginTimeout      time a connection has to complete its login
 * @param maxTextLength     largest accumulated login or text request (key=value bytes)
 */
public record ServerLimits(int commandWindow, int maxTransferLength, Duration loginTimeout, int maxTextLength) {

    public static ServerLimits defaults() {
        return new ServerLimits(128, 32 * 1024 * 1024, Duration.ofSeconds(15), 64 * 1024);
    }
}
