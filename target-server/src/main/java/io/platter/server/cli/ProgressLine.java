package io.platter.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;

/**
 * While a long request runs, polls {@code job/list} twice a second and redraws one line on the
 * terminal with the running job's progress; cleared when the request returns. Only used when
 * the CLI runs on a terminal.
 */
final class ProgressLine implements AutoCloseable {

    private static final long POLL_MILLIS = 500;

    private final ApiClient client;
    private final PrintWriter err;
    private final Thread poller;
    private volatile boolean stopped;
    /** Written by the poller only; read after it is joined. */
    private boolean drawn;

    private ProgressLine(ApiClient client, PrintWriter err) {
        this.client = client;
        this.err = err;
        this.poller = new Thread(this::poll, "platter-progress");
        this.poller.setDaemon(true);
    }

    static ProgressLine start(ApiClient client, PrintWriter err) {
        ProgressLine p = new ProgressLine(client, err);
        p.poller.start();
        return p;
    }

    private void poll() {
        try {
            while (!stopped) {
                Thread.sleep(POLL_MILLIS);
                JsonNode jobs = client.call("job/list", Map.of());
                for (JsonNode j : jobs) {
                    if ("running".equals(j.path("state").asText()) && !stopped) {
                        err.print("\r" + line(j));
                        err.flush();
                        drawn = true;
                        break;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ApiClient.CliException e) {
            // progress is a courtesy: the request itself reports any failure
        }
    }

    /** {@code flatten clone1: 42% (27M of 64M)}. */
    static String line(JsonNode job) {
        long done = job.path("doneBytes").asLong();
        long total = job.path("totalBytes").asLong();
        long percent = total > 0 ? done * 100 / total : 0;
        return job.path("operation").asText() + " " + job.path("volume").asText() + ": " + percent + "% ("
                + ApiCommand.human(done) + " of " + ApiCommand.human(total) + ")";
    }

    @Override
    public void close() {
        stopped = true;
        poller.interrupt();
        try {
            poller.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (drawn) {
            err.print("\r\033[K");
            err.flush();
        }
    }
}
