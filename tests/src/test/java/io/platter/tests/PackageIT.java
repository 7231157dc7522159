package io.platter.tests;

import static io.platter.tests.support.Tools.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import io.platter.config.ConfigLoader;
import io.platter.config.PlatterConfig;
import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Debian package and the tarball the normal build makes (packaging/target): control fields,
 * files and modes, the conffile, maintainer scripts, the unit passing {@code systemd-analyze
 * verify}, the Debian documentation (copyright, changelog, compressed docs), the version, and the
 * packaged launcher serving the packaged default configuration, which exports nothing.
 */
@Timeout(300)
class PackageIT {

    private static Path deb;
    private static Path root;

    @BeforeAll
    static void unpack() throws IOException {
        Path target = PlatterProcess.moduleDir().resolve("../packaging/target").normalize();
        try (Stream<Path> files = Files.list(target)) {
            deb = files.filter(p -> p.getFileName().toString().matches("platter_.*_all\\.deb")).findFirst()
                    .orElseThrow(() -> new AssertionError("no platter_*_all.deb in " + target));
        }
        root = PlatterProcess.moduleDir().resolve("target/it/PackageIT/root");
        Tools.runOk("rm", "-rf", root.getParent().toString());
        Files.createDirectories(root);
        Tools.runOk("dpkg-deb", "-x", deb.toString(), root.toString());
        Tools.runOk("dpkg-deb", "-e", deb.toString(), root.resolve("DEBIAN").toString());
    }

    @Test
    void controlFieldsNameTheJavaRuntime() {
        String control = Tools.runOk("dpkg-deb", "-f", deb.toString(), "Package", "Architecture", "Depends");
        assertThat(control).contains("Package: platter").contains("Architecture: all")
                .contains("Depends: default-jre-headless (>= 2:1.17) | java17-runtime-headless");
        // Issue 15: no invented Homepage (the project has none yet).
        assertThat(Tools.runOk("dpkg-deb", "-f", deb.toString())).doesNotContain("Homepage: https://localhost");
    }

    /** The Debian version is the pom version, "-" turned into "~" (0.1.0-SNAPSHOT sorts before 0.1.0). */
    @Test
    void thePackageVersionAndPlatterDashDashVersionAreThePomVersion() throws IOException {
        String pom = pomVersion();
        assertThat(Tools.runOk("dpkg-deb", "-f", deb.toString(), "Version").strip())
                .isEqualTo(pom.replace('-', '~'));
        assertThat(deb.getFileName().toString()).isEqualTo("platter_" + pom.replace('-', '~') + "_all.deb");
        assertThat(Tools.runOk(root.resolve("usr/bin/platter").toString(), "--version").strip())
                .isEqualTo("platter " + pom);
    }

    /** Debian policy §12.5, §12.7 and §12.3: copyright (DEP-5), changelog.Debian.gz, gzipped docs. */
    @Test
    void theDocumentationIsShippedAsDebianPolicyAsks() throws IOException {
        Path doc = root.resolve("usr/share/doc/platter");
        String copyright = Files.readString(doc.resolve("copyright"));
        assertThat(copyright).startsWith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n")
                .contains("Upstream-Name: platter").contains("\nFiles: *\n").contains("License: Apache-2.0");
        assertThat(Tools.runOk("sh", "-c", "gzip -t " + doc + "/*.gz && echo ok").strip()).isEqualTo("ok");
        String changelog = Tools.runOk("zcat", doc.resolve("changelog.Debian.gz").toString());
        assertThat(changelog).startsWith("platter (" + pomVersion().replace('-', '~') + ") unstable; urgency=medium")
                .containsPattern("\n -- .+ <.+>  \\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4}\n");
        for (String md : List.of("README.md", "metrics.md", "security.md", "configuration.md")) {
            assertThat(doc.resolve(md + ".gz")).as(md).isRegularFile();
            assertThat(doc.resolve(md)).as(md + " uncompressed").doesNotExist();
        }
        assertThat(doc.resolve("development.md.gz")).as("for developers: not in the package").doesNotExist();
        assertThat(Tools.runOk("zcat", doc.resolve("README.md.gz").toString())).startsWith("# Platter");
        assertThat(root.resolve("usr/share/platter/grafana/platter-dashboard.json")).isRegularFile();
        String listing = Tools.runOk("dpkg-deb", "-c", deb.toString());
        assertThat(listing).containsPattern("(?m)^-rw-r--r-- root/root .*\\./usr/share/doc/platter/copyright$")
                .containsPattern("(?m)^-rw-r--r-- root/root .*\\./usr/share/doc/platter/changelog\\.Debian\\.gz$");
    }

    /** The pom version of the build (the root pom's own version). */
    static String pomVersion() throws IOException {
        String pom = Files.readString(PlatterProcess.moduleDir().resolve("../pom.xml"));
        Matcher m = Pattern.compile("<artifactId>platter-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertThat(m.find()).as("the root pom's version").isTrue();
        return m.group(1).trim();
    }

    @Test
    void filesAreWhereTheUnitAndLauncherExpectThem() throws IOException {
        assertThat(root.resolve("usr/share/platter/platter.jar")).isRegularFile();
        assertThat(Files.getPosixFilePermissions(root.resolve("usr/bin/platter")))
                .contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
        assertThat(root.resolve("lib/systemd/system/platter.service")).isRegularFile();
        assertThat(root.resolve("etc/platter/platter.yaml")).isRegularFile();
        assertThat(root.resolve("var/lib/platter")).isDirectory();
        assertThat(root.resolve("usr/share/doc/platter/metrics.md.gz")).isRegularFile();
        assertThat(root.resolve("usr/share/doc/platter/security.md.gz")).isRegularFile();
        String listing = Tools.runOk("dpkg-deb", "-c", deb.toString());
        assertThat(listing).as("owned by root in the archive; postinst hands them to platter")
                .doesNotContain("platter/platter ");
    }

    @Test
    void theConfigIsAConffileAndTheScriptsManageTheUser() throws IOException {
        assertThat(Files.readAllLines(root.resolve("DEBIAN/conffiles"))).containsExactly("/etc/platter/platter.yaml");
        String postinst = Files.readString(root.resolve("DEBIAN/postinst"));
        assertThat(postinst).contains("useradd --system").contains("/var/lib/platter");
        assertThat(Files.readString(root.resolve("DEBIAN/postrm"))).contains("purge");
        for (String script : List.of("postinst", "prerm", "postrm")) {
            Tools.runOk("sh", "-n", root.resolve("DEBIAN").resolve(script).toString());
            assertThat(Files.isExecutable(root.resolve("DEBIAN").resolve(script))).as(script).isTrue();
        }
    }

    @Test
    void theUnitIsHardenedAndVerifies() throws IOException {
        Path unit = root.resolve("lib/systemd/system/platter.service");
        String text = Files.readString(unit);
        // The daemon never writes /etc/platter (issue 15): it is not among the writable paths.
        assertThat(text).doesNotContain("/etc/platter /").doesNotContainPattern("ReadWritePaths=.*/etc/platter");
        assertThat(text).contains("Type=notify", "User=platter", "NoNewPrivileges=yes", "ProtectSystem=strict",
                "ReadWritePaths=/var/lib/platter\n", "ProtectHome=yes", "PrivateTmp=yes",
                "CapabilityBoundingSet=\n", "LimitNOFILE=65536", "Restart=on-failure",
                "After=network-online.target", "Wants=network-online.target", "TimeoutStopSec=60",
                "ExecStart=/usr/bin/platter serve");
        // verify checks that ExecStart exists: point it at the unpacked launcher, nothing else changes.
        Path copy = root.getParent().resolve("verify/platter.service");
        Files.createDirectories(copy.getParent());
        Files.writeString(copy, text.replace("/usr/bin/platter", root.resolve("usr/bin/platter").toString()));
        Tools.Result r = Tools.run(Duration.ofMinutes(1), cmd("systemd-analyze", "verify", copy));
        assertThat(r.ok()).as(r.describe()).isTrue();
        assertThat(r.output()).as(r.describe()).doesNotContain("Unknown", "ignoring");
    }

    @Test
    void theUnitsExposureIsAtMostTwo() throws IOException {
        // Issue 21, finding 17: the unit rated 3.8 (no syscall filter, /proc, clock, kernel logs...).
        Path copy = root.getParent().resolve("security/platter.service");
        Files.createDirectories(copy.getParent());
        Files.writeString(copy, Files.readString(root.resolve("lib/systemd/system/platter.service"))
                .replace("/usr/bin/platter", root.resolve("usr/bin/platter").toString()));
        Tools.Result r = Tools.run(Duration.ofMinutes(1), cmd("systemd-analyze", "security", "--offline=true",
                "--no-pager", copy));
        Matcher m = Pattern.compile("Overall exposure level for platter.service: (\\d+\\.\\d+)").matcher(r.output());
        assertThat(m.find()).as(r.describe()).isTrue();
        assertThat(Double.parseDouble(m.group(1))).as(r.describe()).isLessThanOrEqualTo(2.0);
        String unit = Files.readString(copy);
        assertThat(unit).contains("SystemCallFilter=@system-service", "SystemCallArchitectures=native",
                "ProtectClock=yes", "ProtectKernelLogs=yes", "ProtectHostname=yes", "ProtectProc=invisible",
                "RestrictRealtime=yes", "RemoveIPC=yes", "UMask=0077");
    }

    /**
     * Issue 15, finding 8: the packaged config used to export an unauthenticated demo LUN on every
     * interface, and the service is enabled at install. Now it loads as a config with no target,
     * and the packaged launcher serving it offers nothing to discovery.
     */
    @Test
    void thePackagedDefaultConfigExportsNothing() throws Exception {
        Path work = root.getParent().resolve("run");
        Path data = work.resolve("data");
        Files.createDirectories(data);
        // The packaged file verbatim except its data-dir (so nothing touches /var/lib/platter).
        String packaged = Files.readString(root.resolve("etc/platter/platter.yaml"));
        assertThat(packaged).contains("data-dir: /var/lib/platter");
        Path config = work.resolve("platter.yaml");
        Files.writeString(config, packaged.replace("data-dir: /var/lib/platter", "data-dir: " + data));
        PlatterConfig loaded = ConfigLoader.load(config);
        assertThat(loaded.targets()).as("targets of the packaged config").isEmpty();
        assertThat(loaded.volumes()).as("volumes of the packaged config").isEmpty();
        assertThat(loaded.server().metrics().orElseThrow().host()).isEqualTo("127.0.0.1");
        int port = PlatterProcess.freePort();
        int metricsPort = PlatterProcess.freePort();
        Path log = work.resolve("server.log");
        Process p = new ProcessBuilder(root.resolve("usr/bin/platter").toString(), "serve", "--config",
                config.toString(), "--data-dir", data.toString(), "--portal", "127.0.0.1:" + port,
                "--metrics", "127.0.0.1:" + metricsPort)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Tools.awaitPort(port, p, log);
            Tools.Result ls = Tools.run(Duration.ofMinutes(1), cmd("iscsi-ls", "-s", "iscsi://127.0.0.1:" + port));
            assertThat(ls.ok()).as("discovery succeeded: " + ls.describe()).isTrue();
            assertThat(ls.output()).as(ls.describe()).doesNotContain("Target:").doesNotContain("iqn.");
            try (Stream<Path> files = Files.list(data)) {
                assertThat(files.filter(f -> f.getFileName().toString().matches(".*\\.(img|qcow2|raw)")))
                        .as("no image created").isEmpty();
            }
        } finally {
            p.destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exit after SIGTERM").isTrue();
        }
        assertThat(p.exitValue()).as(Files.readString(log)).isZero();
    }

    @Test
    void theTarballHoldsTheSameFiles() {
        Path target = deb.getParent();
        String list = Tools.runOk("sh", "-c", "tar tzf " + target + "/platter-*-dist.tar.gz");
        assertThat(list).containsPattern("platter-[^/]+/bin/platter\n")
                .containsPattern("platter-[^/]+/share/platter/platter.jar\n")
                .containsPattern("platter-[^/]+/etc/platter/platter.yaml\n")
                .containsPattern("platter-[^/]+/lib/systemd/system/platter.service\n")
                .containsPattern("platter-[^/]+/share/doc/platter/README.md.gz\n")
                .containsPattern("platter-[^/]+/share/doc/platter/copyright\n")
                .containsPattern("platter-[^/]+/share/platter/grafana/platter-dashboard.json\n");
        // The config file takes CHAP secrets: never readable by other users (issue 21, finding 7).
        String modes = Tools.runOk("sh", "-c", "tar tvzf " + target + "/platter-*-dist.tar.gz");
        assertThat(modes).containsPattern("(?m)^-rw------- .*platter-[^/]+/etc/platter/platter.yaml$");
    }

    @Test
    void theDebShipsTheConfigClosedToOthers() {
        String listing = Tools.runOk("dpkg-deb", "-c", deb.toString());
        assertThat(listing).containsPattern("(?m)^-rw-r----- .*\\./etc/platter/platter.yaml$");
    }

    @Test
    void theDebShipsManPagesAndCompletionGeneratedFromTheCommands() throws Exception {
        String listing = Tools.runOk("dpkg-deb", "-c", deb.toString());
        assertThat(listing).containsPattern("(?m)^-rw-r--r-- .*\\./usr/share/bash-completion/completions/platter$")
                .containsPattern("(?m)^-rw-r--r-- .*\\./usr/share/zsh/vendor-completions/_platter$")
                .containsPattern("(?m)^-rw-r--r-- .*\\./usr/share/man/man1/platter\\.1\\.gz$")
                .containsPattern("(?m)^-rw-r--r-- .*\\./usr/share/man/man1/platter-volume\\.1\\.gz$")
                .containsPattern("(?m)^-rw-r--r-- .*\\./usr/share/man/man1/platter-snapshot\\.1\\.gz$");
        // Each page is troff that groff formats without a warning.
        try (Stream<Path> pages = Files.list(root.resolve("usr/share/man/man1"))) {
            for (Path page : pages.toList()) {
                String text = Tools.runOk("sh", "-c", "zcat " + page);
                assertThat(text).as(page.toString()).contains(".TH PLATTER").contains(".SH NAME");
                Tools.Result groff = Tools.run("sh", "-c", "zcat " + page + " | groff -man -Tutf8 -ww -z");
                assertThat(groff.output()).as(page + ": groff warnings").isEmpty();
                assertThat(groff.ok()).as(page.toString()).isTrue();
            }
        }
        String bash = Files.readString(root.resolve("usr/share/bash-completion/completions/platter"));
        assertThat(bash).contains("complete -F _complete_platter", "volume", "snapshot");
        assertThat(Files.readString(root.resolve("usr/share/zsh/vendor-completions/_platter")))
                .startsWith("#compdef platter\n");
    }

    @Test
    void theTarballHoldsManPagesAndCompletion() {
        String list = Tools.runOk("sh", "-c", "tar tzf " + deb.getParent() + "/platter-*-dist.tar.gz");
        assertThat(list).containsPattern("platter-[^/]+/share/bash-completion/completions/platter\n")
                .containsPattern("platter-[^/]+/share/zsh/vendor-completions/_platter\n")
                .containsPattern("platter-[^/]+/share/man/man1/platter\\.1\\.gz\n");
    }

    /**
     * The packaged launcher runs a client call with the client's JVM set-up: the first call makes the
     * class-data archive beside the jar (outside /usr, as for the tarball), later calls map it, and
     * stdout carries only the command's answer (JVM warnings go to stderr), so --json stays JSON.
     */
    @Test
    void thePackagedLauncherRunsClientCallsWithAClassDataArchive() throws Exception {
        Path archive = root.resolve("usr/share/platter/platter-cli.jsa");
        Files.deleteIfExists(archive);
        try (PlatterProcess daemon = PlatterProcess.start("PackageIT-client", "16M")) {
            for (int call = 0; call < 2; call++) {
                Process p = new ProcessBuilder(root.resolve("usr/bin/platter").toString(), "status", "--json",
                        "--data-dir", daemon.dataDir().toString()).redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as(out).isZero();
                assertThat(out.strip()).startsWith("{").endsWith("}").contains("\"portals\"");
                assertThat(archive).as("made by the first client call").isRegularFile();
            }
            String volumes = Tools.runOk(root.resolve("usr/bin/platter").toString(), "volume", "list", "--data-dir",
                    daemon.dataDir().toString());
            assertThat(volumes).contains("NAME");
            daemon.assertNoInternalErrors();
        }
    }
}
