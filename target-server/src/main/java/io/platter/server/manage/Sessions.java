package io.platter.server.manage;

import io.platter.iscsi.session.Session;
import io.platter.iscsi.session.SessionInfo;
import io.platter.server.Daemon;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code session list} and {@code session logout}: what the daemon's sessions look like to an
 * operator (each taken on its own event loop), and asking one of them to log out (RFC 7143
 * §11.9.1, AsyncEvent 1), dropping it when it does not. Stateless; the sessions live in the
 * daemon's registry.
 */
final class Sessions {
    private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);
    /** How long a listing waits for a session's event loop. */
    private static final long INFO_MILLIS = 2_000;
    /** The logout time when none is given: long enough for an initiator to finish its commands. */
    static final int DEFAULT_LOGOUT_SECONDS = 10;
    /**
     * The longest time to log out an operator may give: the request waits for the logout, and
     * must answer well within the API's reply limit (Parameter3 itself could say 65535 s).
     */
    static final int MAX_LOGOUT_SECONDS = 300;
    /** ISO 8601 in the host's time zone, to the second. */
    static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    private Sessions() {
    }

    static List<Views.Session> list(Daemon daemon) {
        List<CompletableFuture<SessionInfo>> pending = daemon.sessions(null).stream().map(Session::info).toList();
        List<Views.Session> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(INFO_MILLIS);
        for (CompletableFuture<SessionInfo> f : pending) {
            try {
                out.add(view(f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)));
            } catch (TimeoutException | ExecutionException e) {
                LOG.warn("session list: a session did not answer in {} ms; left out", INFO_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        out.sort(Comparator.comparing((Views.Session s) -> s.target() == null)
                .thenComparing(s -> s.target() == null ? "" : s.target(), String.CASE_INSENSITIVE_ORDER)
                .thenComparingInt(Views.Session::tsih));
        return out;
    }

    /** An instant as ISO 8601 in the host's time zone, to the second. */
    static String localTime(java.time.Instant instant) {
        return OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.SECONDS), ZoneId.systemDefault())
                .format(LOCAL_TIME);
    }

    private static Views.Session view(SessionInfo i) {
        List<SessionInfo.ConnectionInfo> c = i.connections();
        SessionInfo.ConnectionInfo lead = c.isEmpty() ? null : c.get(0);
        return new Views.Session(i.tsih(), i.initiator(), isid(i.isid()), i.target(),
                lead == null ? null : lead.portal(), lead == null ? null : host(lead.source()), c.size(),
                c.stream().map(SessionInfo.ConnectionInfo::cid).toList(), i.chapUser(),
                digests(c, true), digests(c, false), localTime(i.loginTime()),
                c.stream().map(x -> new Views.SessionConnection(x.cid(), x.portal(), x.source(),
                        digest(x.headerDigest()), digest(x.dataDigest()))).toList());
    }

    /** The ISID as 12 hex digits (RFC 7143 §11.12.5: 6 bytes). */
    static String isid(long isid) {
        return String.format("%012x", isid);
    }

    /** The address of {@code host:port} ({@code [v6]:port} too). */
    private static String host(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static String digests(List<SessionInfo.ConnectionInfo> c, boolean header) {
        String all = c.stream().map(x -> digest(header ? x.headerDigest() : x.dataDigest())).distinct()
                .collect(Collectors.joining("/"));
        return all.isEmpty() ? null : all;
    }

    private static String digest(boolean on) {
        return on ? "CRC32C" : "None";
    }

    /**
     * Asks the session named by {@code tsih} (or, for -1, by {@code initiator} and {@code isid};
     * {@code target} narrows either) to log out within {@code seconds}, waits for it, and closes
     * it when it did not.
     */
    static Views.Done logout(Daemon daemon, int tsih, String initiator, String isid, String target, int seconds) {
        if (seconds < 1 || seconds > MAX_LOGOUT_SECONDS) {
            throw ManagementException.badRequest("the time to log out must be from 1 to " + MAX_LOGOUT_SECONDS
                    + " seconds");
        }
        Session s = find(daemon, tsih, initiator, isid, target);
        String name = "session TSIH " + s.tsih() + " (" + s.initiatorName() + ", ISID " + isid(s.isid()) + ") of "
                + (s.target() == null ? "discovery" : s.target().name());
        s.requestLogout(seconds, "operator request");
        try {
            s.ended().get(seconds, TimeUnit.SECONDS);
            return new Views.Done(name + " logged out");
        } catch (TimeoutException e) {
            try {
                s.ended().get(5, TimeUnit.SECONDS);
                return new Views.Done(name + " did not log out within " + seconds + " s and was closed");
            } catch (TimeoutException | ExecutionException again) {
                throw ManagementException.failed(name + " did not log out within " + seconds
                        + " s and is still closing");
            } catch (InterruptedException again) {
                Thread.currentThread().interrupt();
                throw ManagementException.failed("interrupted");
            }
        } catch (ExecutionException e) {
            return new Views.Done(name + " ended");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ManagementException.failed("interrupted");
        }
    }

    private static Session find(Daemon daemon, int tsih, String initiator, String isid, String target) {
        Long wantedIsid = null;
        if (tsih < 0) {
            if (initiator == null || isid == null) {
                throw ManagementException.badRequest("name the session by its TSIH, or by initiator and ISID "
                        + "(see platter session list)");
            }
            wantedIsid = parseIsid(isid);
        }
        Long want = wantedIsid;
        List<Session> found = daemon.sessions(null).stream()
                .filter(s -> !s.closing())
                .filter(s -> tsih < 0 || s.tsih() == tsih)
                .filter(s -> initiator == null || s.initiatorName().equalsIgnoreCase(initiator))
                .filter(s -> want == null || s.isid() == want)
                .filter(s -> target == null || (s.target() != null && s.target().name().equalsIgnoreCase(target)))
                .toList();
        String what = tsih >= 0 ? "TSIH " + tsih : initiator + " ISID " + isid;
        if (found.isEmpty()) {
            throw ManagementException.notFound("no session " + what + (target == null ? "" : " on " + target)
                    + " (see platter session list)");
        }
        if (found.size() > 1) {
            throw ManagementException.conflict(found.size() + " sessions match " + what + ": "
                    + found.stream().map(x -> x.target() == null ? "discovery" : x.target().name())
                    .collect(Collectors.joining(", ")) + "; add --target or give the TSIH");
        }
        return found.get(0);
    }

    /** 12 hex digits, with or without 0x (as session list shows it). */
    private static long parseIsid(String isid) {
        String hex = isid.startsWith("0x") || isid.startsWith("0X") ? isid.substring(2) : isid;
        if (hex.isEmpty() || hex.length() > 12) {
            throw ManagementException.badRequest("ISID " + isid + " is not 12 hex digits");
        }
        try {
            return HexFormat.fromHexDigitsToLong(hex);
        } catch (IllegalArgumentException e) {
            throw ManagementException.badRequest("ISID " + isid + " is not 12 hex digits");
        }
    }
}
