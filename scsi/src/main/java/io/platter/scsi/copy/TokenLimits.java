package io.platter.scsi.copy;

/**
 * The limits of the ROD token copy manager (Windows ODX), reported in the Block Device ROD Token
 * Limits descriptor of the Third-party Copy VPD page (SBC-4 §6.6.x, descriptor type 0000h) and
 * enforced by POPULATE TOKEN and WRITE USING TOKEN.
 */
public final class TokenLimits {

    /** MAXIMUM RANGE DESCRIPTORS of POPULATE TOKEN and WRITE USING TOKEN. */
    public static final int MAX_RANGE_DESCRIPTORS = 64;
    /** DEFAULT INACTIVITY TIMEOUT in seconds, used when POPULATE TOKEN asks for 0. */
    public static final int DEFAULT_INACTIVITY_SECONDS = 60;
    /** MAXIMUM INACTIVITY TIMEOUT in seconds; a larger request is an invalid field. */
    public static final int MAX_INACTIVITY_SECONDS = 600;
    /** MAXIMUM TOKEN TRANSFER SIZE in logical blocks (16 GiB of 512-byte blocks) per token and per write. */
    public static final long MAX_TOKEN_TRANSFER_BLOCKS = 1L << 25;
    /** OPTIMAL TRANSFER COUNT in logical blocks: the copy chunk. */
    public static final long OPTIMAL_TRANSFER_BLOCKS = CopyLimits.CHUNK_BYTES / 512;
    /** Live tokens the copy manager holds at once; POPULATE TOKEN beyond it is refused (55h/0Dh). */
    public static final int MAX_LIVE_TOKENS = 1024;

    /** ROD TYPE of the tokens this copy manager creates: point in time copy, change vulnerable (SPC-5 §5.17.6.x). */
    public static final int ROD_TYPE_PIT_CHANGE_VULNERABLE = 0x0080_0001;
    /** ROD TYPE point in time copy, default: the copy manager's choice, ours the one above. */
    public static final int ROD_TYPE_PIT_DEFAULT = 0x0080_0000;
    /** ROD TYPE point in time copy, any. */
    public static final int ROD_TYPE_PIT_ANY = 0x0080_FFFF;
    /** The well-known block device zero ROD token (SBC-4 §4.x): writes zeros. */
    public static final int ROD_TYPE_BLOCK_ZERO = 0xFFFF_0001;

    private TokenLimits() {
    }
}
