package io.platter.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The version of this build, as the pom says: Maven filters {@code version.properties} beside
 * this class at build time, so {@code platter --version}, {@code platter status} and the
 * package's version (packaging/pom.xml derives the Debian one from the same pom version) never
 * disagree.
 */
public final class Version {
    private static final String VERSION = load();

    private Version() {
    }

    /** The pom version, e.g. {@code 0.1.0} or {@code 0.1.0-SNAPSHOT}. */
    public static String get() {
        return VERSION;
    }

    /** What {@code platter --version} prints. */
    public static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"platter " + VERSION};
        }
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("version.properties missing beside " + Version.class.getName());
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "");
            if (v.isEmpty() || v.startsWith("${")) {
                throw new IllegalStateException("version.properties was not filtered by the build: \"" + v + "\"");
            }
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
