package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Portal groups (RFC 7143 §4.2.2, §13.8, §13.9): one target reachable through 127.0.0.1 in
 * group 1 and [::1] in group 2. Discovery lists both addresses with their tags, and the LUN
 * seen through either portal is the same device.
 */
@Timeout(180)
class PortalGroupsIT {
    private static PlatterProcess server;

    @BeforeAll
    static void start() {
        server = PlatterProcess.start("PortalGroupsIT", (port, dataDir) -> """
                server:
                  portals: ["127.0.0.1:%d"]
                  portal-groups:
                    - tag: 2
                      portals: ["[::1]:%d"]
                  data-dir: %s
                targets:
                  - iqn: %s
                    luns:
                      - {id: 0, image: lun0.img, size: 64M}
                """.formatted(port, port, dataDir.toAbsolutePath(), PlatterProcess.IQN));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void sendTargetsListsEveryPortalOfEveryGroup() {
        for (String portal : new String[] {"127.0.0.1:" + server.port(), "[::1]:" + server.port()}) {
            String out = Tools.runOk("iscsi-ls", "iscsi://" + portal);
            assertThat(out).as(out).contains(PlatterProcess.IQN)
                    .contains("127.0.0.1:" + server.port() + ",1")
                    .contains("[::1]:" + server.port() + ",2");
        }
    }

    @Test
    void bothPortalsShowTheSameDevice() {
        // VPD pages 83h (device identification) and 80h (unit serial number), SPC-5 §7.7.
        for (String page : new String[] {"131", "128"}) {
            String v4 = Tools.runOk("iscsi-inq", "-e", "1", "-c", page,
                    "iscsi://127.0.0.1:" + server.port() + "/" + PlatterProcess.IQN + "/0");
            String v6 = Tools.runOk("iscsi-inq", "-e", "1", "-c", page,
                    "iscsi://[::1]:" + server.port() + "/" + PlatterProcess.IQN + "/0");
            assertThat(v4).as(v4).containsAnyOf("LOGICAL_UNIT", "Unit Serial Number:[");
            assertThat(v6).isEqualTo(v4);
        }
    }
}
