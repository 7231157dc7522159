package io.platter.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A network portal to listen on (RFC 7143 §4.2.2): an IP address or host name and a TCP port.
 * IPv6 hosts are held without brackets; {@link #toString()} adds them back.
 *
 * @param host IPv4 literal, IPv6 literal (no brackets) or host name, lower-cased
 * @param port 1..65535
 */
public record Portal(String host, int port) {

    /** The IANA-assigned iSCSI port, used when a portal names no port. */
    public static final int DEFAULT_PORT = 3260;

    private static final Pattern HOST_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern IPV4ISH = Pattern.compile("[0-9.]+");
    private static final Pattern IPV6ISH = Pattern.compile("[0-9a-f:.]+(%[0-9a-z._-]+)?");

    public Portal {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("empty host");
        }
        host = host.toLowerCase(Locale.ROOT);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1-65535, got " + port);
        }
    }

    /** The wildcard portal on the default port, {@code 0.0.0.0:3260}. */
    public static Portal anyIpv4() {
        return new Portal("0.0.0.0", DEFAULT_PORT);
    }

    /**
     * Parses {@code host:port}, {@code [ipv6]:port}, or a host alone (port 3260).
     *
     * @throws IllegalArgumentException with a reason that does not repeat the text
     */
    public static Portal parse(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty portal");
        }
        String host;
        String port;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' after the IPv6 address");
            }
            host = t.substring(1, close);
            String rest = t.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                throw new IllegalArgumentException("expected ':port' after ']'");
            }
            port = rest.isEmpty() ? null : rest.substring(1);
            checkIpv6(host);
        } else {
            int colon = t.indexOf(':');
            if (colon != t.lastIndexOf(':')) {
                throw new IllegalArgumentException("write an IPv6 address in brackets, e.g. [::1]:3260");
            }
            host = colon < 0 ? t : t.substring(0, colon);
            port = colon < 0 ? null : t.substring(colon + 1);
            checkHost(host.toLowerCase(Locale.ROOT));
        }
        return new Portal(host, port == null ? DEFAULT_PORT : parsePort(port));
    }

    private static int parsePort(String port) {
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("port must be a number 1-65535");
        }
        int p = Integer.parseInt(port);
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("port must be 1-65535, got " + p);
        }
        return p;
    }

    private static void checkIpv6(String host) {
        if (!host.contains(":") || !IPV6ISH.matcher(host.toLowerCase(Locale.ROOT)).matches()) {
            throw new IllegalArgumentException("not an IPv6 address inside [ ]");
        }
        try {
            // A literal containing ':' is parsed, never looked up in DNS.
            InetAddress.getByName(host);
        } catch (UnknownHostException | SecurityException e) {
            throw new IllegalArgumentException("not an IPv6 address inside [ ]", e);
        }
    }

    private static void checkHost(String host) {
        if (host.isEmpty()) {
            throw new IllegalArgumentException("missing host before ':'");
        }
        if (IPV4ISH.matcher(host).matches()) {
            String[] parts = host.split("\\.", -1);
            if (parts.length != 4) {
                throw new IllegalArgumentException("not an IPv4 address (need four numbers, e.g. 192.0.2.10)");
            }
            for (String part : parts) {
                if (part.isEmpty() || part.length() > 3 || Integer.parseInt(part) > 255) {
                    throw new IllegalArgumentException("not an IPv4 address (each number is 0-255)");
                }
            }
            return;
        }
        if (host.length() > 253) {
            throw new IllegalArgumentException("host name longer than 253 characters");
        }
        for (String label : host.split("\\.", -1)) {
            if (!HOST_LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException("not a valid host name or IP address");
            }
        }
    }

    /** {@code host:port}, or {@code [host]:port} for IPv6; {@link #parse} reads it back. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
