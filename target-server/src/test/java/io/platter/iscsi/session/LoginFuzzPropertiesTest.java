package io.platter.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.platter.iscsi.login.LoginKey;
import io.platter.iscsi.pdu.Bhs;
import io.platter.iscsi.pdu.LoginRequest;
import io.platter.iscsi.pdu.LoginResponse;
import io.platter.iscsi.pdu.NopOut;
import io.platter.iscsi.pdu.Pdu;
import io.platter.iscsi.pdu.PduEncoder;
import io.platter.iscsi.pdu.Reject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The login state machine under random input (RFC 7143 §6.3): sequences of login requests with
 * random stages, flags, identifiers and key=value text, NOP-Outs and raw bytes, fed into the
 * server pipeline. Whatever comes in, the target only answers with Login Responses or Rejects,
 * or closes; nothing escapes the pipeline as an exception, and nothing leaks (the leak detector
 * runs at paranoid). {@code -Djqwik.tries.default=100000} runs longer (README).
 */
class LoginFuzzPropertiesTest {

    @Property
    void loginAnswersOnlyWithResponsesRejectsOrClose(@ForAll("steps") List<byte[]> steps) {
        Server server = new Server();
        Initiator i = new Initiator(server);
        for (byte[] step : steps) {
            if (!i.ch.isOpen()) {
                break;
            }
            i.send(Unpooled.wrappedBuffer(step));
            i.ch.checkException();
        }
        List<Pdu> out = i.responses();
        try {
            // Once in full feature phase a NOP-Out may be answered too, and the keep-alive is quiet.
            assertThat(out).allSatisfy(p -> assertThat(p).isInstanceOfAny(LoginResponse.class, Reject.class,
                    io.platter.iscsi.pdu.NopIn.class, io.platter.iscsi.pdu.ScsiResponsePdu.class));
        } finally {
            out.forEach(Pdu::release);
        }
        i.ch.finishAndReleaseAll();
        assertThat(server.sessions.all()).as("a closed connection leaves no session").isEmpty();
    }

    @Provide
    Arbitrary<List<byte[]>> steps() {
        return Arbitraries.oneOf(loginRequests(), loginRequests(), loginRequests(), nopOuts(), garbage())
                .list().ofMinSize(1).ofMaxSize(6);
    }

    private static Arbitrary<byte[]> garbage() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(120);
    }

    private static Arbitrary<byte[]> nopOuts() {
        return Arbitraries.integers().map(itt -> wire(new NopOut(true, 0, itt, Bhs.RESERVED_TAG, 1, 0,
                Unpooled.EMPTY_BUFFER)));
    }

    private static Arbitrary<byte[]> loginRequests() {
        Arbitrary<Integer> stage = Arbitraries.of(0, 1, 2, 3);
        Arbitrary<Boolean> flag = Arbitraries.of(true, false);
        Arbitrary<Long> isid = Arbitraries.of(0x0002_3d00_0001L, 0L, 0xffff_ffff_ffffL);
        Arbitrary<Integer> tsih = Arbitraries.of(0, 0, 0, 1, 0xffff);
        Arbitrary<Integer> version = Arbitraries.of(0, 0, 0, 1, 0xff);
        return Combinators.combine(flag, flag, stage, stage, version, isid, tsih, text())
                .as((transit, cont, csg, nsg, v, i, t, text) -> wire(new LoginRequest(transit, cont, csg, nsg, 0, v,
                        i, t, 0x10, 0, 1, 0, Unpooled.wrappedBuffer(text))));
    }

    private static Arbitrary<byte[]> text() {
        Arbitrary<String> names = Arbitraries.oneOf(
                Arbitraries.of(LoginKey.values()).map(LoginKey::keyName),
                Arbitraries.of("CHAP_A", "CHAP_N", "CHAP_R", "CHAP_I", "CHAP_C", "X-vendor", ""));
        Arbitrary<String> values = Arbitraries.oneOf(
                Arbitraries.of("Yes", "No", "None", "CRC32C", "CHAP", "Normal", "Discovery", "5", "0x",
                        "iqn.1994-05.com.redhat:client", Server.TARGET, "Reject", "", "All"),
                Arbitraries.integers().between(-1, 20_000_000).map(String::valueOf),
                Arbitraries.strings().ofMaxLength(20));
        return Combinators.combine(names, values).as((n, v) -> n + "=" + v).list().ofMaxSize(10)
                .map(pairs -> {
                    StringBuilder b = new StringBuilder();
                    pairs.forEach(p -> b.append(p).append('\0'));
                    return b.toString().getBytes(StandardCharsets.UTF_8);
                });
    }

    private static byte[] wire(Pdu pdu) {
        ByteBuf b = PduEncoder.encode(PooledByteBufAllocator.DEFAULT, pdu, false, false);
        try {
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            return bytes;
        } finally {
            b.release();
        }
    }
}
