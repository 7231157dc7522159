package io.platter.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.platter.config.ConfigLoader;
import io.platter.config.PlatterConfig;
import io.platter.tests.support.PlatterProcess;
import io.platter.tests.support.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Installs the built .deb with dpkg into a clean, empty root ({@code dpkg --root} with
 * {@code --force-script-chrootless}: the maintainer scripts run on this host with
 * {@code DPKG_ROOT} set, so the root needs no shell or libc of its own; the Java and passwd
 * dependencies are forced, as the root has no packages). Checks the installed files and their
 * ownership, the {@code platter} system user postinst creates, that a locally modified conffile
 * survives a reinstall and an upgrade, that the installed launcher runs as the platter user on the
 * installed default config, which exports nothing, and that purge removes the configuration. Runs
 * in seconds.
 *
 * <p>With {@code -Dpackage.chroot=true} the root is instead a copy of a minbase Debian bookworm
 * (debootstrap, cached in {@code ~/.cache/platter-debroot}; made on first use, which needs the
 * debootstrap package and the Debian mirror and takes minutes) and dpkg runs inside it with
 * {@code chroot}, so the maintainer scripts use that system's own shell, groupadd and useradd.
 * Java is not installed in it: the launcher is run from outside with this host's Java.
 */
@Timeout(1200) // the opt-in chroot variant may debootstrap first
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PackageInstallIT {

    private static final String CONFFILE = "etc/platter/platter.yaml";
    private static final String LOCAL_EDIT = "\n# local edit by the administrator: keep me\n";

    private final Path work = PlatterProcess.moduleDir().resolve("target/it/PackageInstallIT");
    private final Path root = work.resolve("root");
    /** Install into a debootstrapped Debian with {@code chroot} instead of an empty root. */
    private final boolean chroot = Boolean.getBoolean("package.chroot");
    private static final Path DEBROOT = Path.of(System.getProperty("user.home"), ".cache", "platter-debroot");

    @Test
    @Order(1)
    void installReinstallUpgradeServeAndPurge() throws Exception {
        Path deb = builtDeb();
        emptyRoot();

        dpkg("-i", deb.toString());
        assertThat(dpkg("-s", "platter")).contains("Status: install ok installed")
                .contains("/etc/platter/platter.yaml");

        // Files where the unit and launcher expect them, root-owned except what postinst hands over.
        assertThat(root.resolve("usr/share/platter/platter.jar")).isRegularFile();
        assertThat(Files.isExecutable(root.resolve("usr/bin/platter"))).isTrue();
        assertThat(root.resolve("lib/systemd/system/platter.service")).isRegularFile();
        assertThat(uid(root.resolve("usr/share/platter/platter.jar"))).isZero();
        // Where the launcher keeps the CLI's class-data archive (docs/cli-latency.md); under DPKG_ROOT
        // postinst makes the directory only, the archive needs the JVM that will map it.
        assertOwned(root.resolve("var/cache/platter"), 0, 0, "rwxr-xr-x");

        // The system user and group, created by postinst in the root's own databases.
        String user = line(root.resolve("etc/passwd"), "platter:");
        assertThat(user).endsWith(":Platter iSCSI target:/var/lib/platter:/usr/sbin/nologin");
        int platterUid = Integer.parseInt(user.split(":")[2]);
        int platterGid = Integer.parseInt(user.split(":")[3]);
        assertThat(platterUid).as("a system uid").isBetween(100, 999);
        assertThat(line(root.resolve("etc/group"), "platter:")).startsWith("platter:x:" + platterGid + ":");

        assertOwned(root.resolve("var/lib/platter"), platterUid, platterGid, "rwxr-x---");
        // Issue 15: the daemon reads its configuration and never writes it: root:platter 0750 / 0640.
        assertOwned(root.resolve("etc/platter"), 0, platterGid, "rwxr-x---");
        assertOwned(root.resolve(CONFFILE), 0, platterGid, "rw-r-----");
        // Issue 15, finding 8: the service is enabled (and started) at install, so the installed
        // configuration must export nothing.
        PlatterConfig installed = ConfigLoader.load(root.resolve(CONFFILE));
        assertThat(installed.targets()).as("targets of a fresh install").isEmpty();
        assertThat(installed.volumes()).as("volumes of a fresh install").isEmpty();
        Path doc = root.resolve("usr/share/doc/platter");
        assertThat(doc.resolve("copyright")).isRegularFile();
        assertThat(doc.resolve("changelog.Debian.gz")).isRegularFile();
        assertThat(doc.resolve("README.md.gz")).isRegularFile();
        assertThat(root.resolve("usr/share/platter/grafana/platter-dashboard.json")).isRegularFile();

        // A modified conffile survives a reinstall of the same version and an upgrade.
        String packaged = Files.readString(root.resolve(CONFFILE));
        Files.writeString(root.resolve(CONFFILE), packaged + LOCAL_EDIT);
        dpkg("-i", deb.toString());
        assertThat(root.resolve(CONFFILE)).hasContent(packaged + LOCAL_EDIT);
        Path upgrade = bumpedVersion(deb);
        String upgradeOut = dpkg("-i", upgrade.toString());
        assertThat(upgradeOut).contains("Unpacking platter (99.0.0) over");
        assertThat(dpkg("-s", "platter")).contains("Version: 99.0.0");
        assertThat(root.resolve(CONFFILE)).hasContent(packaged + LOCAL_EDIT);
        assertThat(root.resolve(CONFFILE + ".dpkg-dist")).doesNotExist();
        assertThat(line(root.resolve("etc/passwd"), "platter:")).as("the user is kept, not recreated")
                .isEqualTo(user);
        assertOwned(root.resolve("etc/platter"), 0, platterGid, "rwxr-x---");
        assertOwned(root.resolve(CONFFILE), 0, platterGid, "rw-r-----");

        serveAsPlatter(packaged, platterUid, platterGid);

        // An image made by the administrator (the packaged config creates none).
        Path image = root.resolve("var/lib/platter/vol1.qcow2");
        Files.writeString(image, "user data");
        dpkg("-P", "platter");
        assertThat(root.resolve("etc/platter")).doesNotExist();
        assertThat(root.resolve("usr/share/platter/platter.jar")).doesNotExist();
        assertThat(root.resolve("var/cache/platter")).as("the CLI's archive goes with the package").doesNotExist();
        assertThat(image).as("LUN images are user data: kept on purge").hasContent("user data");
    }

    /**
     * Runs the installed launcher as the platter user on the installed default config, its
     * data-dir pointed at the installed /var/lib/platter and its portal at a free loopback port:
     * it starts, discovery finds no target, and what it writes in the data directory (its API
     * files) belongs to the platter user.
     */
    private void serveAsPlatter(String packaged, int uid, int gid) throws Exception {
        assertThat(packaged).contains("data-dir: /var/lib/platter");
        Path data = root.resolve("var/lib/platter");
        Path config = root.resolve("etc/platter/test.yaml");
        Files.writeString(config, packaged.replace("data-dir: /var/lib/platter", "data-dir: " + data));
        Tools.runOk("chown", "0:" + gid, config.toString());
        Tools.runOk("chmod", "0640", config.toString());
        int port = PlatterProcess.freePort();
        Path log = work.resolve("server.log");
        Process p = new ProcessBuilder("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups",
                root.resolve("usr/bin/platter").toString(), "serve", "--config", config.toString(),
                "--portal", "127.0.0.1:" + port, "--metrics", "127.0.0.1:" + PlatterProcess.freePort())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Tools.awaitPort(port, p, log);
            Tools.Result ls = Tools.run(Duration.ofMinutes(1), Tools.cmd("iscsi-ls", "-s", "iscsi://127.0.0.1:" + port));
            assertThat(ls.ok()).as("discovery succeeded: " + ls.describe()).isTrue();
            assertThat(ls.output()).as(ls.describe()).doesNotContain("Target:").doesNotContain("iqn.");
            // The management API (and its .platter-api file) comes up after the portals listen.
            Path api = data.resolve(".platter-api");
            for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    !Files.exists(api) && System.nanoTime() < end && p.isAlive(); ) {
                Thread.sleep(100);
            }
            assertThat(api).as("the daemon's API file").exists();
            try (Stream<Path> files = Files.list(data)) {
                for (Path f : files.filter(Files::exists).toList()) {
                    assertThat(uid(f)).as("created as the platter user: " + f).isEqualTo(uid);
                }
            }
        } finally {
            p.destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exit after SIGTERM").isTrue();
        }
        assertThat(p.exitValue()).as(Files.readString(log)).isZero();
        Files.delete(config);
    }

    private Path builtDeb() throws IOException {
        Path target = PlatterProcess.moduleDir().resolve("../packaging/target").normalize();
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().matches("platter_.*_all\\.deb")).findFirst()
                    .orElseThrow(() -> new AssertionError("no platter_*_all.deb in " + target));
        }
    }

    /**
     * A root with an empty dpkg database and passwd/group/shadow files that know only root, or
     * with {@link #chroot} a fresh copy of the cached minbase Debian.
     */
    private void emptyRoot() throws IOException {
        Tools.runOk("rm", "-rf", work.toString());
        if (chroot) {
            if (!Files.isDirectory(DEBROOT.resolve("usr/bin"))) {
                Path tmp = DEBROOT.resolveSibling("platter-debroot.tmp");
                Tools.runOk("rm", "-rf", tmp.toString());
                Tools.runOk(Duration.ofMinutes(15), Tools.cmd("debootstrap", "--variant=minbase",
                        "bookworm", tmp, "http://deb.debian.org/debian"));
                Files.move(tmp, DEBROOT);
            }
            Files.createDirectories(work);
            Tools.runOk("cp", "-a", DEBROOT.toString(), root.toString());
            return;
        }
        for (String dir : List.of("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/log", "etc")) {
            Files.createDirectories(root.resolve(dir));
        }
        Files.writeString(root.resolve("var/lib/dpkg/status"), "");
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
        Files.writeString(root.resolve("etc/shadow"), "root:*:20000:0:99999:7:::\n");
        Files.writeString(root.resolve("etc/gshadow"), "root:*::\n");
    }

    /** The same package with Version 99.0.0, for an upgrade. */
    private Path bumpedVersion(Path deb) throws IOException {
        Path tree = work.resolve("upgrade");
        Tools.runOk("dpkg-deb", "-R", deb.toString(), tree.toString());
        Path control = tree.resolve("DEBIAN/control");
        Files.writeString(control, Files.readString(control).replaceFirst("(?m)^Version: .*$", "Version: 99.0.0"));
        Path out = work.resolve("platter_99.0.0_all.deb");
        Tools.runOk("dpkg-deb", "-b", tree.toString(), out.toString());
        return out;
    }

    /** dpkg on the root; a .deb argument is copied into it first when dpkg runs chrooted. */
    private String dpkg(String... args) throws IOException {
        List<String> cmd = chroot
                ? Tools.cmd("chroot", root, "dpkg", "--force-depends")
                : Tools.cmd("dpkg", "--root=" + root, "--force-script-chrootless", "--force-depends");
        for (String arg : args) {
            if (chroot && arg.endsWith(".deb")) {
                Path inside = root.resolve("tmp").resolve(Path.of(arg).getFileName());
                Files.copy(Path.of(arg), inside, StandardCopyOption.REPLACE_EXISTING);
                arg = "/tmp/" + inside.getFileName();
            }
            cmd.add(arg);
        }
        return Tools.runOk(Tools.DEFAULT_TIMEOUT, cmd);
    }

    private static String line(Path file, String prefix) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + " line in " + file));
    }

    private static int uid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static void assertOwned(Path p, int uid, int gid, String mode) throws IOException {
        assertThat(uid(p)).as("owner of " + p).isEqualTo(uid);
        assertThat((Integer) Files.getAttribute(p, "unix:gid")).as("group of " + p).isEqualTo(gid);
        assertThat(Files.getPosixFilePermissions(p)).as("mode of " + p)
                .isEqualTo(PosixFilePermissions.fromString(mode));
    }
}
