package io.platter.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC32C header and data digests (RFC 7143 §13.1, §11.2.3). {@link CRC32C} is intrinsified
 * by the JIT; buffers are read through their NIO views, never copied.
 */
public final class Digests {
    private Digests() {
    }

    /** CRC32C of {@code length} bytes at {@code index}, followed by {@code padding} zero bytes. */
    public static int crc32c(ByteBuf buf, int index, int length, int padding) {
        CRC32C crc = new CRC32C();
        if (length > 0) {
            if (buf.nioBufferCount() == 1) {
                crc.update(buf.nioBuffer(index, length));
            } else {
                for (ByteBuffer b : buf.nioBuffers(index, length)) {
                    crc.update(b);
                }
            }
        }
        for (int i = 0; i < padding; i++) {
            crc.update(0);
        }
        // The digest goes on the wire least significant byte first (RFC 7143 §13.1 / RFC 3385).
        return Integer.reverseBytes((int) crc.getValue());
    }

    /** Padding to the next multiple of four (RFC 7143 §11.2.3: data segments are padded). */
    public static int padding(int length) {
        return -length & 3;
    }
}
