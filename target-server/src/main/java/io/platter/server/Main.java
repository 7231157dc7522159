package io.platter.server;

import ch.qos.logback.classic.Level;
import io.platter.config.ConfigException;
import io.platter.config.ConfigLoader;
import io.platter.config.PlatterConfig;
import io.platter.config.Portal;
import io.platter.config.catalog.FileCatalog;
import io.platter.config.catalog.Layers;
import io.platter.server.cli.AclCommand;
import io.platter.server.cli.AuthCommand;
import io.platter.server.cli.ChapCommand;
import io.platter.server.cli.CloneCommand;
import io.platter.server.cli.ConfigCommand;
import io.platter.server.cli.HelpCommand;
import io.platter.server.cli.JobCommand;
import io.platter.server.cli.LunCommand;
import io.platter.server.cli.ReloadCommand;
import io.platter.server.cli.SessionCommand;
import io.platter.server.cli.SnapshotCommand;
import io.platter.server.cli.StatusCommand;
import io.platter.server.cli.TargetCommand;
import io.platter.server.cli.VolumeCommand;
import io.platter.server.manage.ManagedConfig;
import io.platter.server.manage.ManagementException;
import io.platter.server.manage.ManagementServer;
import io.platter.server.manage.Services;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code platter} command line. */
@Command(name = "platter", mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
        description = "Platter: an iSCSI target that serves image files as SAN disks.",
        subcommands = {Main.Serve.class, ImageCommand.class, VolumeCommand.class, SnapshotCommand.class,
                CloneCommand.class, TargetCommand.class, LunCommand.class, AclCommand.class, ChapCommand.class,
                SessionCommand.class, AuthCommand.class, StatusCommand.class, ReloadCommand.class, JobCommand.class,
                ConfigCommand.class, HelpCommand.class})
public final class Main implements Callable<Integer> {

    /** Exit code for a configuration that cannot be used. */
    static final int EXIT_CONFIG = 2;
    /** Exit code for a daemon that failed to start. */
    static final int EXIT_START = 3;
    /** Where versions before the catalog saved API changes without a config file; imported once. */
    static final String DATA_DIR_CONFIG = "platter.yaml";

    public static void main(String[] args) {
        System.exit(commandLine(args).execute(args));
    }

    /**
     * The command line for {@code args}. When they name a command (the first argument is one of the
     * {@code subcommands} of {@link Main}'s {@code @Command}), the tree holds that command alone:
     * picocli reads the annotations of every class it is given, and reading all of them, the daemon's
     * included, cost a CLI call more time than talking to the daemon (docs/cli-latency.md). Anything
     * else (no arguments, an option such as {@code --help}, {@code help}, a typo) gets the whole tree,
     * so usage, help and suggestions list every command. {@code new CommandLine(new Main())} remains
     * the whole tree.
     */
    public static CommandLine commandLine(String... args) {
        Command root = Main.class.getAnnotation(Command.class);
        Class<?> named = args.length == 0 || "help".equals(args[0]) ? null : command(root, args[0]);
        if (named == null) {
            return new CommandLine(new Main());
        }
        CommandLine.Model.CommandSpec lean = CommandLine.Model.CommandSpec.wrapWithoutInspection(new Main())
                .name(root.name()).mixinStandardHelpOptions(root.mixinStandardHelpOptions());
        return new CommandLine(lean).addSubcommand(named);
    }

    /** The subcommand class called {@code name} (or with that alias), or null. */
    private static Class<?> command(Command root, String name) {
        for (Class<?> c : root.subcommands()) {
            Command sub = c.getAnnotation(Command.class);
            if (sub != null && (sub.name().equals(name) || java.util.Arrays.asList(sub.aliases()).contains(name))) {
                return c;
            }
        }
        return null;
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    /** {@code platter serve}: runs the target until SIGTERM or SIGINT. */
    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Start the target. Without --config it reads /etc/platter/platter.yaml if present, "
                    + "otherwise it serves the embedded default (a demo target with a thin 1 GiB LUN). What the CLI "
                    + "makes is kept in the catalog of the data directory (docs/catalog.md); the file is never written.")
    static final class Serve implements Callable<Integer> {
        static final Path SYSTEM_CONFIG = Path.of("/etc/platter/platter.yaml");

        @Option(names = "--config", paramLabel = "FILE", description = "configuration file (YAML)")
        Path config;

        @Option(names = "--portal", paramLabel = "HOST:PORT",
                description = "listen here instead of server.portals, portal group 1 (repeatable)")
        List<String> portals;

        @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory for images")
        Path dataDir;

        @Option(names = "--log-level", paramLabel = "LEVEL",
                description = "TRACE, DEBUG, INFO, WARN or ERROR (default: server.log-level, else INFO)")
        String logLevel;

        @Option(names = "--metrics", paramLabel = "HOST:PORT",
                description = "serve Prometheus metrics here (default: server.metrics, else off)")
        String metrics;

        @Option(names = "--insecure-management",
                description = "allow server.management on a non-loopback address although the API has no TLS yet")
        boolean insecureManagement;

        @Override
        public Integer call() throws Exception {
            setLogLevel(logLevel);
            Logger log = LoggerFactory.getLogger(Main.class);
            PlatterConfig cfg;
            ManagedConfig managed;
            try {
                managed = load();
                cfg = running(managed);
                if (logLevel == null && cfg.server().logLevel().isPresent()) {
                    setLogLevel(cfg.server().logLevel().get().name());
                }
            } catch (ConfigException e) {
                System.err.println("platter: invalid configuration:");
                System.err.println(e.getMessage());
                return EXIT_CONFIG;
            } catch (IllegalArgumentException e) {
                System.err.println("platter: " + e.getMessage());
                return EXIT_CONFIG;
            } catch (IOException e) {
                System.err.println("platter: cannot open the catalog: " + io.platter.config.PrivateFiles.reason(e));
                return EXIT_CONFIG;
            }
            String exposed = exposedManagement(cfg);
            if (exposed != null && !insecureManagement) {
                System.err.println("platter: invalid configuration:");
                System.err.println("server.management " + exposed + " is not a loopback address, and the management"
                        + " API has no TLS yet: its token (and every CHAP secret set through it) would cross the"
                        + " network in clear. Listen on 127.0.0.1 and tunnel (ssh -L), or start with"
                        + " --insecure-management to accept that.");
                return EXIT_CONFIG;
            }
            if (exposed != null) {
                log.warn("management API on {} without TLS (--insecure-management): its token crosses the network"
                        + " in clear", exposed);
            }
            // SIGTERM and SIGINT stop the daemon cleanly and exit 0 (a JVM shutdown hook would exit 143).
            // Trapped before the portals open, so a signal that arrives as soon as they listen is
            // still a clean stop; one during start-up takes effect once start-up is complete.
            CountDownLatch stop = new CountDownLatch(1);
            for (String signal : List.of("TERM", "INT")) {
                sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> stop.countDown());
            }
            // SIGHUP does what `platter reload` does; one during start-up is carried out once ready.
            AtomicReference<Services> reloadable = new AtomicReference<>();
            AtomicBoolean hangUp = new AtomicBoolean();
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> {
                hangUp.set(true);
                Services ready = reloadable.get();
                if (ready == null) {
                    log.info("SIGHUP during start-up: reloading once ready");
                } else if (hangUp.getAndSet(false)) {
                    reloadOnSignal(ready, log);
                }
            });
            Daemon daemon;
            ManagementServer management;
            try {
                daemon = Daemon.start(cfg);
            } catch (Exception e) {
                log.error("cannot start: {}", e.getMessage());
                System.err.println("platter: cannot start: " + e.getMessage());
                return EXIT_START;
            }
            try {
                Services services = Services.of(daemon, managed, Version.get());
                services.pool().reportLeftovers();
                management = ManagementServer.start(cfg.server().management().orElse(null), services);
                reloadable.set(services);
                if (hangUp.getAndSet(false)) {
                    reloadOnSignal(services, log);
                }
            } catch (Exception e) {
                log.error("cannot start the management API: {}", e.getMessage());
                System.err.println("platter: cannot start the management API: " + e.getMessage());
                daemon.close();
                return EXIT_START;
            }
            String ready = daemon.addresses().size() + " portal(s), " + cfg.targets().size() + " target(s)";
            log.info("Platter ready: {}", ready);
            SystemdNotify.ready("serving " + ready);
            stop.await();
            log.info("stopping");
            SystemdNotify.stopping();
            // Order matters: the API first (no new requests; long jobs cancelled at their next step and
            // running requests waited for, never interrupted inside image I/O), then the daemon drains
            // the initiators and flushes every LUN; nothing touches an image after its final flush.
            management.close();
            daemon.close();
            log.info("stopped");
            return 0;
        }

        /** The management address when it is not loopback (every address of a host name counts), else null. */
        private static String exposedManagement(PlatterConfig cfg) {
            if (cfg.server().management().isEmpty()) {
                return null;
            }
            Portal p = cfg.server().management().get();
            try {
                for (java.net.InetAddress a : java.net.InetAddress.getAllByName(p.host())) {
                    if (!a.isLoopbackAddress()) {
                        return p.toString();
                    }
                }
                return null;
            } catch (java.net.UnknownHostException e) {
                return p.toString();
            }
        }

        /** SIGHUP: reload; a failure is logged and the running configuration stays. */
        private static void reloadOnSignal(Services services, Logger log) {
            log.info("SIGHUP: reloading {}", services.config().file().map(f -> f + " and the catalog")
                    .orElse("the catalog"));
            try {
                log.info("SIGHUP: {}", services.reload().message());
            } catch (ManagementException e) {
                log.error("SIGHUP: reload failed: {}", e.getMessage());
            } catch (RuntimeException e) {
                log.error("SIGHUP: reload failed", e);
            }
        }

        private static void setLogLevel(String level) {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME))
                    .setLevel(Level.toLevel(level, Level.INFO));
        }

        /**
         * The layers the daemon starts with. With {@code --config} or /etc/platter/platter.yaml: that
         * file (never written) and the catalog of the effective data directory. Without a file (quick
         * start): the embedded default's server settings and the catalog of {@code --data-dir} (default
         * ./platter-data), which the demo target seeds on the very first start only. An old
         * {@code <data-dir>/platter.yaml} saved by earlier versions is imported into an empty catalog once.
         */
        private ManagedConfig load() throws ConfigException, IOException {
            Logger log = LoggerFactory.getLogger(Main.class);
            Path file = config != null ? config : (Files.exists(SYSTEM_CONFIG) ? SYSTEM_CONFIG : null);
            PlatterConfig declared;
            if (file != null) {
                Path f = file;
                declared = ConfigLoader.load(file, warning -> log.warn("{}: {}", f.getFileName(), warning));
                warnIfSecretsExposed(file, declared, log);
            } else {
                PlatterConfig demo = PlatterConfig.embeddedDefault(dataDir != null ? dataDir : Path.of("platter-data"));
                declared = demo.withTargets(List.of());
            }
            Path effectiveDataDir = dataDir != null ? dataDir.toAbsolutePath().normalize() : declared.server().dataDir();
            FileCatalog catalog = FileCatalog.of(effectiveDataDir);
            if (!catalog.exists()) {
                seed(catalog, file, declared, effectiveDataDir, log);
            }
            ManagedConfig managed = ManagedConfig.open(file, declared, catalog);
            log.info("catalog {}: generation {}", catalog.location(), managed.generation());
            return managed;
        }

        /**
         * A first start (no catalog generation at all): imports {@code <data-dir>/platter.yaml} saved by
         * an earlier version, renaming it {@code .imported}; else, without a config file, commits the
         * demo target so it can be changed and, once deleted, stays deleted.
         */
        private static void seed(FileCatalog catalog, Path file, PlatterConfig declared, Path dataDir, Logger log)
                throws ConfigException, IOException {
            Path legacy = dataDir.resolve(DATA_DIR_CONFIG);
            if (Files.isRegularFile(legacy) && (file == null || !Files.isSameFile(legacy, file))) {
                PlatterConfig old = ConfigLoader.load(legacy, w -> log.warn("{}: {}", legacy, w));
                PlatterConfig objects = Layers.catalogPart(declared, old, catalog.empty());
                catalog.commit(0, objects);
                Path imported = legacy.resolveSibling(DATA_DIR_CONFIG + ".imported");
                Files.move(legacy, imported, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                log.info("imported {} ({} target(s), {} volume(s)) into the catalog {}; the file is kept as {}",
                        legacy, objects.targets().size(), objects.volumes().size(), catalog.location(), imported);
            } else if (file == null) {
                PlatterConfig demo = PlatterConfig.embeddedDefault(dataDir);
                catalog.commit(0, catalog.empty().withTargets(demo.targets()));
                log.info("first start: the catalog {} holds the demo target {}", catalog.location(),
                        PlatterConfig.DEMO_IQN);
            }
        }

        /** Item 5: a file holding CHAP secrets that others may read is named, with its mode (never the secret). */
        private static void warnIfSecretsExposed(Path file, PlatterConfig declared, Logger log) {
            boolean secrets = declared.server().discoveryChap() != null
                    || declared.targets().stream().anyMatch(t -> t.chap() != null);
            if (!secrets) {
                return;
            }
            try {
                java.util.Set<java.nio.file.attribute.PosixFilePermission> mode = Files.getPosixFilePermissions(file);
                if (mode.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
                    log.warn("{} holds CHAP secrets and is readable by every user (mode {}): chmod o-r {}", file,
                            java.nio.file.attribute.PosixFilePermissions.toString(mode), file);
                }
            } catch (IOException | UnsupportedOperationException e) {
                log.debug("cannot read the mode of {}: {}", file, e.toString());
            }
        }

        /** The configuration the daemon runs: the effective one with the command line's overrides. */
        private PlatterConfig running(ManagedConfig managed) {
            PlatterConfig cfg = managed.get();
            if (dataDir != null) {
                cfg = cfg.withDataDir(dataDir);
            }
            if (portals != null && !portals.isEmpty()) {
                cfg = cfg.withPortals(portals.stream().map(Portal::parse).toList());
            }
            if (metrics != null) {
                cfg = cfg.withMetrics(Portal.parse(metrics));
            }
            return cfg;
        }
    }
}
