package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.RawPdu;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The hand-built PDUs of MalformedInputIT match RFC 7143 §11 byte for byte. */
class RawPduTest {

    /** Login Request, CSG=1 NSG=3 T=1, ITT 0x1000, CmdSN 7, ExpStatSN 9, 5 data bytes. */
    private static final String LOGIN_BHS =
            "43" + "87" + "00" + "00"          // I|0x03, T|CSG=1|NSG=3, version max/min
            + "00" + "000005"                  // TotalAHSLength, DataSegmentLength
            + "00023d000001" + "0000"          // ISID, TSIH
            + "00001000"                       // ITT
            + "0000" + "0000"                  // CID, reserved
            + "00000007" + "00000009"          // CmdSN, ExpStatSN
            + "00".repeat(16);                 // reserved

    @Test
    void loginRequestGoldenBytes() {
        RawPdu pdu = RawPdu.loginRequest(true, 1, 3, 0x1000, 7, 9, RawPdu.text("a=bc"), -1);

        assertThat(HexFormat.of().formatHex(pdu.toBytes()))
                .isEqualTo(LOGIN_BHS + "613d626300" + "000000");
        assertThat(pdu.dataSegmentLength()).isEqualTo(5);
    }

    @Test
    void declaredLengthOverridesTheRealOne() {
        RawPdu pdu = RawPdu.loginRequest(true, 1, 3, 1, 0, 0, new byte[0], 0xffffff);

        assertThat(pdu.dataSegmentLength()).isEqualTo(0xffffff);
        assertThat(pdu.toBytes()).hasSize(48);
    }

    @Test
    void nopOutGoldenBytes() {
        RawPdu pdu = RawPdu.nopOut(true, 0x2002, 5, 6);

        assertThat(HexFormat.of().formatHex(pdu.toBytes())).isEqualTo(
                "40" + "80" + "0000" + "00" + "000000"   // I|NOP-Out, F, reserved, AHS, DSL
                + "0000000000000000"                     // LUN
                + "00002002" + "ffffffff"                // ITT, TTT
                + "00000005" + "00000006"                // CmdSN, ExpStatSN
                + "00".repeat(16));
    }

    @Test
    void readsLoginResponseFields() {
        byte[] bhs = new byte[48];
        bhs[0] = 0x23;
        bhs[1] = (byte) 0x87;
        bhs[15] = 0x2a;       // TSIH
        bhs[27] = 0x11;       // StatSN
        bhs[36] = 0x02;       // status class
        bhs[37] = 0x07;       // status detail
        RawPdu r = new RawPdu(bhs, new byte[0]);

        assertThat(r.opcode()).isEqualTo(RawPdu.OP_LOGIN_RESPONSE);
        assertThat(r.u16(14)).isEqualTo(0x2a);
        assertThat(r.int32(24)).isEqualTo(0x11);
        assertThat(r.statusClass()).isEqualTo(2);
        assertThat(r.statusDetail()).isEqualTo(7);
    }
}
