package io.platter.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Arbitrary parameter lists into POPULATE TOKEN and WRITE USING TOKEN (SBC-4): always GOOD or
 * CHECK CONDITION with sense, never an internal error; and a token of our ROD type that this
 * daemon did not make, whatever its bytes, is refused as corrupt (its MAC cannot match) and
 * writes nothing.
 */
class TokenParameterListPropertyTest {

    @Provide
    Arbitrary<byte[]> lists() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(1200);
    }

    @Property(tries = 300)
    void arbitraryParameterListsGetAnAnswer(@ForAll("lists") byte[] list, @ForAll boolean write) {
        long internalErrors = InternalErrors.count();
        try (Fixture f = Fixture.direct(64)) {
            byte[] cdb = write ? OdxTest.writeUsingTokenCdb(1, list.length) : OdxTest.populateCdb(1, list.length);
            Fixture.Result r = f.run(0, cdb, list.length == 0 ? null : Unpooled.wrappedBuffer(list));
            assertThat(r.status()).isIn(ScsiStatus.GOOD, ScsiStatus.CHECK_CONDITION);
            if (r.status() == ScsiStatus.CHECK_CONDITION) {
                assertThat(r.sense()).isNotNull();
            }
        }
        assertThat(InternalErrors.count()).as("internal errors").isEqualTo(internalErrors);
    }

    @Property(tries = 300)
    void aTokenThisDaemonDidNotMakeIsCorrupt(@ForAll("tokens") byte[] body) {
        byte[] token = body.clone();
        ByteBuffer.wrap(token).putInt(0, 0x00800001).putShort(4, (short) 0).putShort(6, (short) 0x01F8);
        try (Fixture f = Fixture.direct(64)) {
            java.util.Arrays.fill(f.device.bytes(), (byte) 0x33);
            byte[] list = OdxTest.wutList(0, 0, token, new long[] {0, 8});
            f.run(0, OdxTest.writeUsingTokenCdb(1, list.length), Unpooled.wrappedBuffer(list)).assertCheck(5, 0x23, 0x05);
            assertThat(f.device.bytes()).containsOnly(0x33);
        }
    }

    @Provide
    Arbitrary<byte[]> tokens() {
        return Arbitraries.bytes().array(byte[].class).ofSize(512);
    }
}
