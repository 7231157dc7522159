package io.platter.scsi.copy;

import io.platter.scsi.sense.CheckConditionException;
import io.platter.scsi.sense.Sense;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The 512-byte ROD token (SPC-5 §5.17.6, table "ROD token format") this copy manager creates, and
 * the check of one it is given. Layout: 0-3 ROD TYPE, 6-7 ROD TOKEN LENGTH (01F8h), 8-15 COPY
 * MANAGER ROD TOKEN IDENTIFIER, 16-47 CREATOR LOGICAL UNIT DESCRIPTOR (an E4h identification
 * descriptor with the source unit's NAA designator and block length), 48-63 NUMBER OF BYTES
 * REPRESENTED, 96-127 device type specific data (SBC-4: the READ CAPACITY (16) data from its
 * LOGICAL BLOCK LENGTH on), then ours: 128-159 a random nonce, 480-511 an HMAC-SHA256 under a
 * per-daemon random key over bytes 0-479. Without the key a token can be neither forged nor
 * altered, and the identifier and nonce make it unguessable.
 */
final class RodToken {

    static final int LENGTH = 512;
    static final int ROD_TOKEN_LENGTH = LENGTH - 8;
    static final int IDENTIFIER = 8;
    static final int CREATOR = 16;
    static final int BYTES_REPRESENTED = 48;
    static final int DEVICE_TYPE_SPECIFIC = 96;
    static final int NONCE = 128;
    static final int NONCE_LENGTH = 32;
    static final int MAC = 480;
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    private final SecureRandom random;

    RodToken(SecureRandom random) {
        byte[] k = new byte[32];
        random.nextBytes(k);
        this.key = new SecretKeySpec(k, ALGORITHM);
        this.random = random;
    }

    /** A new random token identifier, never 0. */
    long newIdentifier() {
        long id;
        do {
            id = random.nextLong();
        } while (id == 0);
        return id;
    }

    /** The token for {@code bytes} of unit {@code naa} (block length {@code blockSize}) under {@code identifier}. */
    byte[] build(long identifier, long naa, int blockSize, long bytes) {
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        b.putInt(0, TokenLimits.ROD_TYPE_PIT_CHANGE_VULNERABLE);
        b.putShort(6, (short) ROD_TOKEN_LENGTH);
        b.putLong(IDENTIFIER, identifier);
        // CREATOR LOGICAL UNIT DESCRIPTOR: identification descriptor (SPC-5 §6.4.5.x, as in EXTENDED COPY).
        b.put(CREATOR, (byte) CopyLimits.IDENTIFICATION_TARGET);
        b.put(CREATOR + 4, (byte) 0x01);                 // CODE SET binary
        b.put(CREATOR + 5, (byte) 0x03);                 // ASSOCIATION logical unit, DESIGNATOR TYPE NAA
        b.put(CREATOR + 7, (byte) 8);
        b.putLong(CREATOR + 8, naa);
        b.putInt(CREATOR + 28, blockSize & 0xFF_FFFF);   // DISK BLOCK LENGTH (bytes 29-31)
        b.putLong(BYTES_REPRESENTED + 8, bytes);         // 128-bit field; the high half stays 0
        b.putInt(DEVICE_TYPE_SPECIFIC, blockSize);       // LOGICAL BLOCK LENGTH IN BYTES
        byte[] nonce = new byte[NONCE_LENGTH];
        random.nextBytes(nonce);
        b.put(NONCE, nonce);
        byte[] token = b.array();
        System.arraycopy(mac(token), 0, token, MAC, 32);
        return token;
    }

    /**
     * Checks a token given to WRITE USING TOKEN and returns its identifier: the ROD TOKEN LENGTH
     * (INVALID TOKEN LENGTH), the ROD TYPE (UNSUPPORTED TOKEN TYPE), the MAC (TOKEN CORRUPT). The
     * zero ROD token is not checked here.
     */
    long verify(byte[] token) throws CheckConditionException {
        ByteBuffer b = ByteBuffer.wrap(token);
        if ((b.getShort(6) & 0xFFFF) != ROD_TOKEN_LENGTH) {
            throw new CheckConditionException(Sense.INVALID_TOKEN_LENGTH);
        }
        if (b.getInt(0) != TokenLimits.ROD_TYPE_PIT_CHANGE_VULNERABLE) {
            throw new CheckConditionException(Sense.TOKEN_UNSUPPORTED_TYPE);
        }
        if (!MessageDigest.isEqual(mac(token), Arrays.copyOfRange(token, MAC, LENGTH))) {
            throw new CheckConditionException(Sense.TOKEN_CORRUPT);
        }
        return b.getLong(IDENTIFIER);
    }

    static int rodType(byte[] token) {
        return ByteBuffer.wrap(token).getInt(0);
    }

    private byte[] mac(byte[] token) {
        try {
            Mac m = Mac.getInstance(ALGORITHM);
            m.init(key);
            m.update(token, 0, MAC);
            return m.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
