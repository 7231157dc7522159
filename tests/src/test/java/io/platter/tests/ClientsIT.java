package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** libiscsi clients against a running daemon: discovery, INQUIRY and VPD pages, capacity, identity. */
@Timeout(300)
class ClientsIT {

    private static final long LUN_BYTES = 256L << 20;
    private static PlatterProcess server;

    @BeforeAll
    static void start() {
        server = PlatterProcess.start("ClientsIT", "256M");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void discoveryListsTheTargetAndItsLun() {
        String out = Tools.runOk("iscsi-ls", "-s", server.portalUrl());
        assertThat(out).as(out).contains("Target:" + PlatterProcess.IQN).contains("Lun:0");
    }

    @Test
    void standardInquiryIsADirectAccessDevice() {
        String out = Tools.runOk("iscsi-inq", server.url());
        assertThat(out).as(out).contains("Peripheral Device Type:DIRECT_ACCESS");
    }

    @Test
    void readCapacity16Reports256MiBOf512ByteBlocks() {
        String out = Tools.runOk("iscsi-readcapacity16", server.url());
        assertThat(out).as(out)
                .contains("RETURNED LOGICAL BLOCK ADDRESS:" + (LUN_BYTES / 512 - 1))
                .contains("LOGICAL BLOCK LENGTH IN BYTES:512")
                .contains("Total size:" + LUN_BYTES);
    }

    @Test
    void serialAndNaaDesignatorSurviveARestart() {
        String serial = unitSerial();
        String ids = deviceIdentification();
        assertThat(serial).as("unit serial number").isNotBlank();
        assertThat(ids).as(ids).contains("Designator Type:(3) NAA");
        Path sidecar = server.image().resolveSibling("lun0.img.id");
        assertThat(sidecar).as("LUN identity sidecar").isRegularFile();
        String identity = read(sidecar);

        server.restart();

        assertThat(read(sidecar)).as("identity sidecar after restart").isEqualTo(identity);
        assertThat(unitSerial()).as("serial after restart").isEqualTo(serial);
        assertThat(deviceIdentification()).as("VPD 0x83 after restart").isEqualTo(ids);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** VPD 0x80 (decimal 128: iscsi-inq parses -c as decimal). */
    private static String unitSerial() {
        String out = Tools.runOk("iscsi-inq", "-e", "1", "-c", "128", server.url());
        Matcher m = Pattern.compile("Unit Serial Number:\\[(.*)]").matcher(out);
        assertThat(m.find()).as("no unit serial in:\n" + out).isTrue();
        return m.group(1).trim();
    }

    /** VPD 0x83 (decimal 131), whole output: binary designators are printed verbatim. */
    private static String deviceIdentification() {
        String out = Tools.runOk("iscsi-inq", "-e", "1", "-c", "131", server.url());
        assertThat(out).as(out).contains("DEVICE_IDENTIFICATION");
        return out;
    }
}
