package io.platter.iscsi.pdu;

import static io.platter.iscsi.pdu.Wire.data;
import static io.platter.iscsi.pdu.Wire.hex;

import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.function.Supplier;

/**
 * Golden PDUs written by hand from the layouts of RFC 7143 §11 (never produced by the encoder),
 * one per PDU type plus digest and AHS cases, each with the record it must decode to.
 */
final class GoldenVectors {
    private GoldenVectors() {
    }

    /** A PDU on the wire, the record it stands for, and the digests in force. */
    record Vector(String name, byte[] wire, Supplier<Pdu> expected, boolean headerDigest, boolean dataDigest) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final long LUN1 = 0x0001_0000_0000_0000L;
    static final long ISID = 0x0002_3d00_0001L;

    // --- initiator PDUs ------------------------------------------------------------------------

    /** NOP-Out (§11.18): an immediate ping carrying 3 bytes, padded with 1. */
    static final String NOP_OUT = ""
            + "40"                                  // 0: I=1, opcode 0x00 NOP-Out
            + "80"                                  // 1: F=1
            + "0000"                                // 2-3: reserved
            + "00"                                  // 4: TotalAHSLength 0
            + "000003"                              // 5-7: DataSegmentLength 3
            + "0000000000000000"                    // 8-15: LUN 0
            + "00000011"                            // 16-19: ITT 0x11
            + "ffffffff"                            // 20-23: TTT reserved
            + "00000007"                            // 24-27: CmdSN 7
            + "00000002"                            // 28-31: ExpStatSN 2
            + "00000000000000000000000000000000"    // 32-47: reserved
            + "616263" + "00";                      // data "abc" + 1 pad byte

    static final byte[] WRITE10_CDB = hex("2a000000100000000100" + "000000000000");

    /** SCSI Command (§11.3): WRITE(10) of one block with 2 bytes of immediate data, padded with 2. */
    static final String SCSI_COMMAND_WRITE = ""
            + "01"                                  // 0: I=0, opcode 0x01 SCSI Command
            + "a1"                                  // 1: F=1 R=0 W=1 ATTR=1 (SIMPLE)
            + "0000"                                // 2-3: reserved
            + "00"                                  // 4: TotalAHSLength 0
            + "000002"                              // 5-7: DataSegmentLength 2
            + "0001000000000000"                    // 8-15: LUN 1
            + "0000002a"                            // 16-19: ITT 42
            + "00000200"                            // 20-23: Expected Data Transfer Length 512
            + "00000010"                            // 24-27: CmdSN 16
            + "00000005"                            // 28-31: ExpStatSN 5
            + "2a000000100000000100" + "000000000000" // 32-47: CDB WRITE(10) LBA 0x1000 len 1
            + "beef" + "0000";                      // immediate data + 2 pad bytes

    static final byte[] READ32_CDB = hex("7f000000000000180009000000000000" // bytes 0-15
            + "101112131415161718191a1b1c1d1e1f");                        // bytes 16-31

    /** SCSI Command (§11.3) with a 32-byte CDB: 16 in the BHS, 16 in an Extended CDB AHS (§11.2.2.3). */
    static final String SCSI_COMMAND_EXTENDED_CDB = ""
            + "01"                                  // 0: opcode 0x01
            + "c2"                                  // 1: F=1 R=1 W=0 ATTR=2 (ORDERED)
            + "0000"                                // 2-3: reserved
            + "05"                                  // 4: TotalAHSLength 5 words = 20 bytes
            + "000000"                              // 5-7: DataSegmentLength 0
            + "0000000000000000"                    // 8-15: LUN 0
            + "00000001"                            // 16-19: ITT 1
            + "00001000"                            // 20-23: Expected Data Transfer Length 4096
            + "00000020"                            // 24-27: CmdSN 32
            + "00000003"                            // 28-31: ExpStatSN 3
            + "7f000000000000180009000000000000"    // 32-47: CDB bytes 0-15 (variable length, READ(32))
            + "0011"                                // AHS 0-1: AHSLength 17 (reserved byte + 16 CDB bytes)
            + "01"                                  // AHS 2: AHSType 1 Extended CDB
            + "00"                                  // AHS 3: reserved
            + "101112131415161718191a1b1c1d1e1f";   // AHS 4-19: CDB bytes 16-31

    /** Task Management Function Request (§11.5): an immediate ABORT TASK. */
    static final String TASK_MANAGEMENT_REQUEST = ""
            + "42"                                  // 0: I=1, opcode 0x02
            + "81"                                  // 1: F=1, Function 1 ABORT TASK
            + "0000"                                // 2-3: reserved
            + "00" + "000000"                       // 4-7: TotalAHSLength, DataSegmentLength 0
            + "0001000000000000"                    // 8-15: LUN 1
            + "00000050"                            // 16-19: ITT 0x50
            + "0000002a"                            // 20-23: Referenced Task Tag 42
            + "00000011"                            // 24-27: CmdSN 17
            + "00000006"                            // 28-31: ExpStatSN 6
            + "00000010"                            // 32-35: RefCmdSN 16
            + "00000000"                            // 36-39: ExpDataSN 0
            + "0000000000000000";                   // 40-47: reserved

    /** Login Request (§11.12): operational stage straight to full feature, discovery session. */
    static final String LOGIN_REQUEST = ""
            + "43"                                  // 0: I=1, opcode 0x03
            + "87"                                  // 1: T=1 C=0 CSG=1 NSG=3
            + "00"                                  // 2: Version-max 0
            + "00"                                  // 3: Version-min 0
            + "00"                                  // 4: TotalAHSLength 0
            + "000016"                              // 5-7: DataSegmentLength 22
            + "00023d000001"                        // 8-13: ISID
            + "0000"                                // 14-15: TSIH 0
            + "00000000"                            // 16-19: ITT 0
            + "0001"                                // 20-21: CID 1
            + "0000"                                // 22-23: reserved
            + "00000001"                            // 24-27: CmdSN 1
            + "00000000"                            // 28-31: ExpStatSN 0
            + "00000000000000000000000000000000"    // 32-47: reserved
            + "53657373696f6e547970653d446973636f76657279" + "00" // "SessionType=Discovery\0"
            + "0000";                               // 2 pad bytes

    /** Text Request (§11.10): SendTargets=All, 16 bytes, no padding. */
    static final String TEXT_REQUEST = ""
            + "44"                                  // 0: I=1, opcode 0x04
            + "80"                                  // 1: F=1 C=0
            + "0000"                                // 2-3: reserved
            + "00" + "000010"                       // 4-7: TotalAHSLength 0, DataSegmentLength 16
            + "0000000000000000"                    // 8-15: LUN 0
            + "00000002"                            // 16-19: ITT 2
            + "ffffffff"                            // 20-23: TTT reserved
            + "00000002"                            // 24-27: CmdSN 2
            + "00000001"                            // 28-31: ExpStatSN 1
            + "00000000000000000000000000000000"    // 32-47: reserved
            + "53656e64546172676574733d416c6c" + "00"; // "SendTargets=All\0"

    /** SCSI Data-Out (§11.7.1): one byte of solicited data, padded with 3. */
    static final String DATA_OUT = ""
            + "05"                                  // 0: opcode 0x05
            + "80"                                  // 1: F=1
            + "0000"                                // 2-3: reserved
            + "00" + "000001"                       // 4-7: TotalAHSLength 0, DataSegmentLength 1
            + "0001000000000000"                    // 8-15: LUN 1
            + "0000002a"                            // 16-19: ITT 42
            + "00000123"                            // 20-23: TTT 0x123
            + "00000000"                            // 24-27: reserved
            + "00000005"                            // 28-31: ExpStatSN 5
            + "00000000"                            // 32-35: reserved
            + "00000002"                            // 36-39: DataSN 2
            + "00000200"                            // 40-43: Buffer Offset 512
            + "00000000"                            // 44-47: reserved
            + "7f" + "000000";                      // data + 3 pad bytes

    /** Logout Request (§11.14): close the connection. */
    static final String LOGOUT_REQUEST = ""
            + "46"                                  // 0: I=1, opcode 0x06
            + "81"                                  // 1: F=1, Reason Code 1 (close the connection)
            + "0000"                                // 2-3: reserved
            + "00" + "000000"                       // 4-7: lengths 0
            + "0000000000000000"                    // 8-15: reserved
            + "00000009"                            // 16-19: ITT 9
            + "0001"                                // 20-21: CID 1
            + "0000"                                // 22-23: reserved
            + "00000021"                            // 24-27: CmdSN 0x21
            + "00000008"                            // 28-31: ExpStatSN 8
            + "00000000000000000000000000000000";   // 32-47: reserved

    /** SNACK Request (§11.16): Data/R2T SNACK for DataSN 3 and 4. */
    static final String SNACK_REQUEST = ""
            + "10"                                  // 0: opcode 0x10
            + "80"                                  // 1: F=1, Type 0 (Data/R2T)
            + "0000"                                // 2-3: reserved
            + "00" + "000000"                       // 4-7: lengths 0
            + "0001000000000000"                    // 8-15: LUN 1
            + "0000002a"                            // 16-19: ITT 42
            + "ffffffff"                            // 20-23: TTT / SNACK Tag
            + "00000000"                            // 24-27: reserved
            + "00000007"                            // 28-31: ExpStatSN 7
            + "0000000000000000"                    // 32-39: reserved
            + "00000003"                            // 40-43: BegRun 3
            + "00000002";                           // 44-47: RunLength 2

    // --- target PDUs ---------------------------------------------------------------------------

    /** NOP-In (§11.19): the answer to a ping, echoing 4 bytes. */
    static final String NOP_IN = ""
            + "20"                                  // 0: opcode 0x20
            + "80"                                  // 1: F=1
            + "0000"                                // 2-3: reserved
            + "00" + "000004"                       // 4-7: TotalAHSLength 0, DataSegmentLength 4
            + "0000000000000000"                    // 8-15: LUN 0
            + "00000011"                            // 16-19: ITT 0x11
            + "ffffffff"                            // 20-23: TTT reserved
            + "00000003"                            // 24-27: StatSN 3
            + "00000008"                            // 28-31: ExpCmdSN 8
            + "00000047"                            // 32-35: MaxCmdSN 0x47
            + "000000000000000000000000"            // 36-47: reserved
            + "70696e67";                           // data "ping"

    /** SCSI Response (§11.4): CHECK CONDITION, underflow, SenseLength + 18 bytes of fixed sense. */
    static final String SCSI_RESPONSE = ""
            + "21"                                  // 0: opcode 0x21
            + "82"                                  // 1: F=1, U=1 (residual underflow)
            + "00"                                  // 2: Response 0 (command completed at target)
            + "02"                                  // 3: Status CHECK CONDITION
            + "00" + "000014"                       // 4-7: TotalAHSLength 0, DataSegmentLength 20
            + "0000000000000000"                    // 8-15: reserved
            + "0000002a"                            // 16-19: ITT 42
            + "00000000"                            // 20-23: SNACK Tag
            + "00000006"                            // 24-27: StatSN 6
            + "00000011"                            // 28-31: ExpCmdSN 0x11
            + "00000090"                            // 32-35: MaxCmdSN 0x90
            + "00000000"                            // 36-39: ExpDataSN 0
            + "00000000"                            // 40-43: Bidirectional Read Residual Count
            + "00000200"                            // 44-47: Residual Count 512
            + "0012"                                // data: SenseLength 18 (§11.4.7.2)
            + "700005000000000a0000000024000000" + "0000"; // fixed sense ILLEGAL REQUEST 24/00

    /** Task Management Function Response (§11.6): task does not exist. */
    static final String TASK_MANAGEMENT_RESPONSE = ""
            + "22"                                  // 0: opcode 0x22
            + "80"                                  // 1: F=1
            + "01"                                  // 2: Response 1 (task does not exist)
            + "00"                                  // 3: reserved
            + "00" + "000000"                       // 4-7: lengths 0
            + "0000000000000000"                    // 8-15: reserved
            + "00000050"                            // 16-19: ITT 0x50
            + "00000000"                            // 20-23: reserved
            + "00000007"                            // 24-27: StatSN 7
            + "00000012"                            // 28-31: ExpCmdSN 0x12
            + "00000091"                            // 32-35: MaxCmdSN 0x91
            + "000000000000000000000000";           // 36-47: reserved

    /** Login Response (§11.13): success, into full feature phase, TSIH 1. */
    static final String LOGIN_RESPONSE = ""
            + "23"                                  // 0: opcode 0x23
            + "87"                                  // 1: T=1 C=0 CSG=1 NSG=3
            + "00"                                  // 2: Version-max 0
            + "00"                                  // 3: Version-active 0
            + "00" + "000017"                       // 4-7: TotalAHSLength 0, DataSegmentLength 23
            + "00023d000001"                        // 8-13: ISID
            + "0001"                                // 14-15: TSIH 1
            + "00000000"                            // 16-19: ITT 0
            + "00000000"                            // 20-23: reserved
            + "00000001"                            // 24-27: StatSN 1
            + "00000001"                            // 28-31: ExpCmdSN 1
            + "00000080"                            // 32-35: MaxCmdSN 0x80
            + "00"                                  // 36: Status-Class 0
            + "00"                                  // 37: Status-Detail 0
            + "00000000000000000000"                // 38-47: reserved
            + "546172676574506f7274616c47726f75705461673d31" + "00" // "TargetPortalGroupTag=1\0"
            + "00";                                 // 1 pad byte

    /** Text Response (§11.11): final, 17 bytes of text padded with 3. */
    static final String TEXT_RESPONSE = ""
            + "24"                                  // 0: opcode 0x24
            + "80"                                  // 1: F=1 C=0
            + "0000"                                // 2-3: reserved
            + "00" + "000011"                       // 4-7: TotalAHSLength 0, DataSegmentLength 17
            + "0000000000000000"                    // 8-15: LUN 0
            + "00000002"                            // 16-19: ITT 2
            + "ffffffff"                            // 20-23: TTT reserved (final)
            + "00000002"                            // 24-27: StatSN 2
            + "00000003"                            // 28-31: ExpCmdSN 3
            + "00000082"                            // 32-35: MaxCmdSN 0x82
            + "000000000000000000000000"            // 36-47: reserved
            + "5461726765744e616d653d69716e2e78" + "00" // "TargetName=iqn.x\0"
            + "000000";                             // 3 pad bytes

    /** SCSI Data-In (§11.7): last PDU with status (S=1), underflow of 504 bytes. */
    static final String DATA_IN = ""
            + "25"                                  // 0: opcode 0x25
            + "83"                                  // 1: F=1 A=0 O=0 U=1 S=1
            + "00"                                  // 2: reserved
            + "00"                                  // 3: Status GOOD
            + "00" + "000008"                       // 4-7: TotalAHSLength 0, DataSegmentLength 8
            + "0001000000000000"                    // 8-15: LUN 1
            + "0000002b"                            // 16-19: ITT 0x2b
            + "ffffffff"                            // 20-23: TTT reserved
            + "00000009"                            // 24-27: StatSN 9
            + "00000013"                            // 28-31: ExpCmdSN 0x13
            + "00000092"                            // 32-35: MaxCmdSN 0x92
            + "00000000"                            // 36-39: DataSN 0
            + "00000000"                            // 40-43: Buffer Offset 0
            + "000001f8"                            // 44-47: Residual Count 504
            + "0102030405060708";                   // data

    /** Logout Response (§11.15): closed, Time2Wait 2, Time2Retain 20. */
    static final String LOGOUT_RESPONSE = ""
            + "26"                                  // 0: opcode 0x26
            + "80"                                  // 1: F=1
            + "00"                                  // 2: Response 0 (closed successfully)
            + "00"                                  // 3: reserved
            + "00" + "000000"                       // 4-7: lengths 0
            + "0000000000000000"                    // 8-15: reserved
            + "00000009"                            // 16-19: ITT 9
            + "00000000"                            // 20-23: reserved
            + "0000000a"                            // 24-27: StatSN 10
            + "00000022"                            // 28-31: ExpCmdSN 0x22
            + "000000a1"                            // 32-35: MaxCmdSN 0xa1
            + "00000000"                            // 36-39: reserved
            + "0002"                                // 40-41: Time2Wait 2
            + "0014"                                // 42-43: Time2Retain 20
            + "00000000";                           // 44-47: reserved

    /** Ready To Transfer (§11.8): 64 KiB from offset 512. */
    static final String READY_TO_TRANSFER = ""
            + "31"                                  // 0: opcode 0x31
            + "80"                                  // 1: F=1
            + "0000"                                // 2-3: reserved
            + "00" + "000000"                       // 4-7: lengths 0
            + "0001000000000000"                    // 8-15: LUN 1
            + "0000002a"                            // 16-19: ITT 42
            + "00000123"                            // 20-23: TTT 0x123
            + "0000000b"                            // 24-27: StatSN 11
            + "00000023"                            // 28-31: ExpCmdSN 0x23
            + "000000a2"                            // 32-35: MaxCmdSN 0xa2
            + "00000000"                            // 36-39: R2TSN 0
            + "00000200"                            // 40-43: Buffer Offset 512
            + "00010000";                           // 44-47: Desired Data Transfer Length 65536

    /** Asynchronous Message (§11.9): logout requested within 10 seconds. */
    static final String ASYNC_MESSAGE = ""
            + "32"                                  // 0: opcode 0x32
            + "80"                                  // 1: F=1
            + "0000"                                // 2-3: reserved
            + "00" + "000000"                       // 4-7: lengths 0
            + "0000000000000000"                    // 8-15: LUN 0
            + "ffffffff"                            // 16-19: 0xffffffff
            + "00000000"                            // 20-23: reserved
            + "0000000c"                            // 24-27: StatSN 12
            + "00000024"                            // 28-31: ExpCmdSN 0x24
            + "000000a3"                            // 32-35: MaxCmdSN 0xa3
            + "01"                                  // 36: AsyncEvent 1 (logout requested)
            + "00"                                  // 37: AsyncVCode
            + "0000"                                // 38-39: Parameter1
            + "0000"                                // 40-41: Parameter2
            + "000a"                                // 42-43: Parameter3 (Time2Wait 10)
            + "00000000";                           // 44-47: reserved

    static final String REJECTED_HEADER = "1c800000000000000000000000000000"
            + "00000077ffffffff000000300000000d" + "00000000000000000000000000000000";

    /** Reject (§11.17): command not supported, the data segment is the rejected 48-byte header. */
    static final String REJECT = ""
            + "3f"                                  // 0: opcode 0x3f
            + "80"                                  // 1: F=1
            + "05"                                  // 2: Reason 5 (command not supported)
            + "00"                                  // 3: reserved
            + "00" + "000030"                       // 4-7: TotalAHSLength 0, DataSegmentLength 48
            + "0000000000000000"                    // 8-15: reserved
            + "ffffffff"                            // 16-19: 0xffffffff
            + "00000000"                            // 20-23: reserved
            + "0000000d"                            // 24-27: StatSN 13
            + "00000025"                            // 28-31: ExpCmdSN 0x25
            + "000000a4"                            // 32-35: MaxCmdSN 0xa4
            + "00000000"                            // 36-39: DataSN/R2TSN 0
            + "0000000000000000"                    // 40-47: reserved
            + REJECTED_HEADER;                      // data: the rejected header

    // --- digests (RFC 7143 §13.1; CRC32C test vectors of RFC 3720 Appendix B.4) ---------------

    static final byte[] READ10_CDB = hex("28000000000000000200000000000000");

    /** RFC 3720 B.4 "an iSCSI SCSI Read (10) Command PDU" followed by its header digest. */
    static final String READ10_WITH_HEADER_DIGEST = ""
            + "01"                                  // 0: opcode 0x01
            + "c0"                                  // 1: F=1 R=1 W=0 ATTR=0
            + "0000"                                // 2-3: reserved
            + "00" + "000000"                       // 4-7: lengths 0
            + "0000000000000000"                    // 8-15: LUN 0
            + "14000000"                            // 16-19: ITT 0x14000000
            + "00000400"                            // 20-23: Expected Data Transfer Length 1024
            + "00000014"                            // 24-27: CmdSN 0x14
            + "00000018"                            // 28-31: ExpStatSN 0x18
            + "28000000000000000200000000000000"    // 32-47: CDB READ(10), transfer length 2
            + "563a96d9";                           // header digest as RFC 3720 B.4 shows it

    /** NOP-Out with DataDigest only: 32 bytes of zeros, digest "aa 36 91 8a" (RFC 3720 B.4). */
    static final String NOP_OUT_ZEROS_WITH_DATA_DIGEST = ""
            + "00"                                  // 0: I=0, opcode 0x00
            + "80"                                  // 1: F=1
            + "0000"                                // 2-3: reserved
            + "00" + "000020"                       // 4-7: TotalAHSLength 0, DataSegmentLength 32
            + "0000000000000000"                    // 8-15: LUN 0
            + "00000005"                            // 16-19: ITT 5
            + "ffffffff"                            // 20-23: TTT reserved
            + "00000009"                            // 24-27: CmdSN 9
            + "00000004"                            // 28-31: ExpStatSN 4
            + "00000000000000000000000000000000"    // 32-47: reserved
            + "00".repeat(32)                       // data: 32 bytes of zeros
            + "aa36918a";                           // data digest

    /** The NOP-In BHS that precedes 32 bytes of 0xff in {@link #nopInOnesWithBothDigests()}. */
    static final String NOP_IN_ONES_BHS = ""
            + "20"                                  // 0: opcode 0x20
            + "80"                                  // 1: F=1
            + "0000"                                // 2-3: reserved
            + "00" + "000020"                       // 4-7: TotalAHSLength 0, DataSegmentLength 32
            + "0000000000000000"                    // 8-15: LUN 0
            + "00000005"                            // 16-19: ITT 5
            + "ffffffff"                            // 20-23: TTT reserved
            + "00000004"                            // 24-27: StatSN 4
            + "0000000a"                            // 28-31: ExpCmdSN 10
            + "00000089"                            // 32-35: MaxCmdSN 0x89
            + "000000000000000000000000";           // 36-47: reserved

    /** NOP-In with both digests: header digest from the bitwise oracle, data 32 x 0xff -> 43 ab a8 62. */
    static byte[] nopInOnesWithBothDigests() {
        byte[] bhs = hex(NOP_IN_ONES_BHS);
        return Wire.concat(bhs, Wire.digestBytes(bhs), hex("ff".repeat(32)), hex("43aba862"));
    }

    /** Text Response with both digests over 3 bytes of data: the data digest covers the padding. */
    static byte[] textResponsePaddedWithBothDigests() {
        byte[] bhs = hex("24800000" + "00000003" + "0000000000000000" + "00000002" + "ffffffff"
                + "00000002" + "00000003" + "00000082" + "000000000000000000000000");
        byte[] padded = hex("612d62" + "00");
        return Wire.concat(bhs, Wire.digestBytes(bhs), padded, Wire.digestBytes(padded));
    }

    static List<Vector> all() {
        return List.of(
                v("NOP-Out", NOP_OUT, () -> new NopOut(true, 0, 0x11, -1, 7, 2, data(hex("616263")))),
                v("SCSI Command WRITE(10) + immediate data", SCSI_COMMAND_WRITE,
                        () -> new ScsiCommandPdu(false, true, false, true, 1, LUN1, 42, 512, 16, 5,
                                WRITE10_CDB.clone(), data(hex("beef")))),
                v("SCSI Command with Extended CDB AHS", SCSI_COMMAND_EXTENDED_CDB,
                        () -> new ScsiCommandPdu(false, true, true, false, 2, 0, 1, 4096, 32, 3,
                                READ32_CDB.clone(), Unpooled.EMPTY_BUFFER)),
                v("Task Management Request", TASK_MANAGEMENT_REQUEST,
                        () -> new TaskManagementRequest(true, 1, LUN1, 0x50, 42, 17, 6, 16, 0, Unpooled.EMPTY_BUFFER)),
                v("Login Request", LOGIN_REQUEST, () -> new LoginRequest(true, false, 1, 3, 0, 0, ISID, 0, 0, 1, 1, 0,
                        data(hex("53657373696f6e547970653d446973636f76657279" + "00")))),
                v("Text Request", TEXT_REQUEST, () -> new TextRequest(true, true, false, 0, 2, -1, 2, 1,
                        data(hex("53656e64546172676574733d416c6c" + "00")))),
                v("Data-Out", DATA_OUT, () -> new DataOut(true, LUN1, 42, 0x123, 5, 2, 512, data(hex("7f")))),
                v("Logout Request", LOGOUT_REQUEST,
                        () -> new LogoutRequest(true, 1, 9, 1, 0x21, 8, Unpooled.EMPTY_BUFFER)),
                v("SNACK Request", SNACK_REQUEST, () -> new SnackRequest(0, LUN1, 42, -1, 7, 3, 2, Unpooled.EMPTY_BUFFER)),
                v("NOP-In", NOP_IN, () -> new NopIn(0, 0x11, -1, 3, 8, 0x47, data(hex("70696e67")))),
                v("SCSI Response", SCSI_RESPONSE, () -> new ScsiResponsePdu(ScsiResponsePdu.UNDERFLOW, 0, 2, 42, 0, 6,
                        0x11, 0x90, 0, 0, 512, data(hex("0012" + "700005000000000a0000000024000000" + "0000")))),
                v("Task Management Response", TASK_MANAGEMENT_RESPONSE,
                        () -> new TaskManagementResponse(1, 0x50, 7, 0x12, 0x91, Unpooled.EMPTY_BUFFER)),
                v("Login Response", LOGIN_RESPONSE, () -> new LoginResponse(true, false, 1, 3, 0, 0, ISID, 1, 0, 1, 1,
                        0x80, 0, 0, data(hex("546172676574506f7274616c47726f75705461673d31" + "00")))),
                v("Text Response", TEXT_RESPONSE, () -> new TextResponse(true, false, 0, 2, -1, 2, 3, 0x82,
                        data(hex("5461726765744e616d653d69716e2e78" + "00")))),
                v("Data-In", DATA_IN, () -> new DataIn(0x83, 0, LUN1, 0x2b, -1, 9, 0x13, 0x92, 0, 0, 504,
                        data(hex("0102030405060708")))),
                v("Logout Response", LOGOUT_RESPONSE,
                        () -> new LogoutResponse(0, 9, 10, 0x22, 0xa1, 2, 20, Unpooled.EMPTY_BUFFER)),
                v("Ready To Transfer", READY_TO_TRANSFER,
                        () -> new ReadyToTransfer(LUN1, 42, 0x123, 11, 0x23, 0xa2, 0, 512, 65536)),
                v("Async Message", ASYNC_MESSAGE,
                        () -> new AsyncMessage(0, 12, 0x24, 0xa3, 1, 0, 0, 0, 10, Unpooled.EMPTY_BUFFER)),
                v("Reject", REJECT, () -> new Reject(5, 13, 0x25, 0xa4, 0, data(hex(REJECTED_HEADER)))),
                new Vector("SCSI Command READ(10) with header digest (RFC 3720 B.4)", hex(READ10_WITH_HEADER_DIGEST),
                        () -> new ScsiCommandPdu(false, true, true, false, 0, 0, 0x14000000, 1024, 0x14, 0x18,
                                READ10_CDB.clone(), Unpooled.EMPTY_BUFFER), true, false),
                new Vector("NOP-Out 32 zeros with data digest", hex(NOP_OUT_ZEROS_WITH_DATA_DIGEST),
                        () -> new NopOut(false, 0, 5, -1, 9, 4, data(new byte[32])), false, true),
                new Vector("NOP-In 32 x 0xff with both digests", nopInOnesWithBothDigests(),
                        () -> new NopIn(0, 5, -1, 4, 10, 0x89, data(hex("ff".repeat(32)))), true, true),
                new Vector("Text Response, padded data under both digests", textResponsePaddedWithBothDigests(),
                        () -> new TextResponse(true, false, 0, 2, -1, 2, 3, 0x82, data(hex("612d62"))), true, true));
    }

    private static Vector v(String name, String wire, Supplier<Pdu> expected) {
        return new Vector(name, hex(wire), expected, false, false);
    }
}
