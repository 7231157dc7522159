package io.platter.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.platter.iscsi.login.TextParameters;
import io.platter.iscsi.pdu.LoginRequest;
import io.platter.iscsi.pdu.LoginResponse;
import io.platter.iscsi.pdu.Pdu;
import io.platter.iscsi.pdu.PduDecoder;
import io.platter.iscsi.pdu.PduEncoder;
import io.platter.iscsi.pdu.ProtocolException;
import io.platter.iscsi.pdu.ScsiCommandPdu;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One initiator connection into a server pipeline on an {@link EmbeddedChannel} (decoder,
 * encoder, login as IscsiServer builds it): PDUs go in as wire bytes, and what the target wrote
 * comes back decoded. Test support.
 */
final class Initiator {
    static final String INITIATOR = "iqn.1994-05.com.redhat:client";
    static final int MAX = 16_777_215;

    final EmbeddedChannel ch;
    final Connection connection;
    boolean headerDigest;
    boolean dataDigest;
    int tsih;
    int cid;
    int statSn;

    private final Server server;

    Initiator(Server server) {
        this.server = server;
        ch = new EmbeddedChannel();
        PduDecoder decoder = new PduDecoder();
        connection = new Connection(ch, server.targets, server.sessions, server.limits, decoder);
        ch.pipeline().addLast("decoder", decoder).addLast("encoder", new PduEncoder())
                .addLast("login", new LoginHandler(connection));
    }

    static ByteBuf text(Map<String, String> keys) {
        return TextParameters.encode(PooledByteBufAllocator.DEFAULT, keys);
    }

    static Map<String, String> keys(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    /** Logs in to full feature phase in one operational request; returns the final response (released). */
    LoginResponse login(String target, long isid, int tsih, int cid, int cmdSn, String... extraKeys) {
        Map<String, String> keys = keys("InitiatorName", INITIATOR, "TargetName", target);
        keys.putAll(keys(extraKeys));
        send(new LoginRequest(true, false, 1, 3, 0, 0, isid, tsih, 0x7000 + cid, cid, cmdSn, 0, text(keys)));
        LoginResponse r = only(LoginResponse.class);
        r.release();
        this.tsih = r.tsih();
        this.cid = cid;
        this.statSn = r.statSn();
        return r;
    }

    /** Writes the PDU's bytes into the channel as an initiator would. */
    void send(Pdu pdu) {
        ch.writeInbound(PduEncoder.encode(PooledByteBufAllocator.DEFAULT, pdu, headerDigest, dataDigest));
    }

    /** Writes raw bytes into the channel. */
    void send(ByteBuf bytes) {
        ch.writeInbound(bytes);
    }

    /** Every PDU the target wrote so far, decoded from the bytes on the wire; the caller releases them. */
    List<Pdu> responses() {
        ch.runPendingTasks();
        return decodeOutbound(ch, headerDigest, dataDigest);
    }

    /** Every PDU {@code ch} wrote so far, decoded from its outbound bytes (none may be left over); the caller releases them. */
    static List<Pdu> decodeOutbound(EmbeddedChannel ch, boolean headerDigest, boolean dataDigest) {
        ByteBuf all = PooledByteBufAllocator.DEFAULT.buffer();
        for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
            ByteBuf b = (ByteBuf) o;
            all.writeBytes(b);
            b.release();
        }
        List<Pdu> out = new ArrayList<>();
        try {
            for (Pdu p = PduDecoder.decodeOne(all, headerDigest, dataDigest, MAX); p != null;
                 p = PduDecoder.decodeOne(all, headerDigest, dataDigest, MAX)) {
                out.add(p);
            }
            assertThat(all.readableBytes()).as("trailing bytes").isZero();
        } catch (ProtocolException e) {
            throw new AssertionError(e);
        } finally {
            all.release();
        }
        return out;
    }

    /** The one PDU written since the last read; it must be of {@code type}. The caller releases it. */
    <T extends Pdu> T only(Class<T> type) {
        List<Pdu> pdus = responses();
        assertThat(pdus).as("responses").hasSize(1);
        assertThat(pdus.get(0)).isInstanceOf(type);
        return type.cast(pdus.get(0));
    }

    /** Releases and counts what the target wrote. */
    int drain() {
        List<Pdu> pdus = responses();
        pdus.forEach(Pdu::release);
        return pdus.size();
    }

    /** A READ(10) of {@code blocks} 512-byte blocks at LBA 0 of LUN 0. */
    static ScsiCommandPdu read10(int itt, int cmdSn, int blocks) {
        byte[] cdb = new byte[16];
        cdb[0] = 0x28;
        cdb[7] = (byte) (blocks >> 8);
        cdb[8] = (byte) blocks;
        return new ScsiCommandPdu(false, true, true, false, 1, 0, itt, blocks * 512, cmdSn, 0, cdb,
                Unpooled.EMPTY_BUFFER);
    }

    /** A WRITE(10) of {@code blocks} 512-byte blocks at LBA 0 of LUN 0, with {@code immediate} data. */
    static ScsiCommandPdu write10(int itt, int cmdSn, int blocks, ByteBuf immediate) {
        byte[] cdb = new byte[16];
        cdb[0] = 0x2a;
        cdb[7] = (byte) (blocks >> 8);
        cdb[8] = (byte) blocks;
        return new ScsiCommandPdu(false, true, false, true, 1, 0, itt, blocks * 512, cmdSn, 0, cdb, immediate);
    }

    /** A TEST UNIT READY on LUN 0. */
    static ScsiCommandPdu testUnitReady(int itt, int cmdSn) {
        return new ScsiCommandPdu(false, true, false, false, 1, 0, itt, 0, cmdSn, 0, new byte[16],
                Unpooled.EMPTY_BUFFER);
    }

    /**
     * Takes the POWER ON unit attention of a new I_T nexus (SAM-5 §5.14) with an immediate TEST
     * UNIT READY, which uses no CmdSN, so the test's numbering stays as it was.
     */
    void takePowerOn() {
        send(new ScsiCommandPdu(true, true, false, false, 1, 0, 0xfff0, 0, connection.expCmdSn(), 0, new byte[16],
                Unpooled.EMPTY_BUFFER));
        only(io.platter.iscsi.pdu.ScsiResponsePdu.class).release();
    }

    /** Closes the channel and checks nothing leaked or stayed unread. */
    void finish() {
        ch.runPendingTasks();
        drain();
        ch.finishAndReleaseAll();
    }
}
