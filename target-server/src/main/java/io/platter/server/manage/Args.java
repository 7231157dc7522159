package io.platter.server.manage;

import com.fasterxml.jackson.databind.JsonNode;
import io.platter.config.ImageFormat;
import io.platter.config.Provisioning;
import io.platter.config.Sizes;

/** The JSON object of a request, with typed access that fails as a bad request. */
public record Args(JsonNode json) {

    /** A required text argument. */
    public String text(String key) {
        String v = optText(key);
        if (v == null) {
            throw ManagementException.badRequest("missing argument " + key);
        }
        return v;
    }

    public String optText(String key) {
        JsonNode n = json.get(key);
        return n == null || n.isNull() ? null : n.asText();
    }

    /** The target of a CHAP change, or null for {@code discovery: true}; exactly one must be given. */
    public String chapScope() {
        String target = optText("target");
        if ((target == null) == !flag("discovery")) {
            throw ManagementException.badRequest("name a target or discovery, not both or neither");
        }
        return target;
    }

    /** A required array of texts. */
    public java.util.List<String> texts(String key) {
        JsonNode n = json.get(key);
        if (n == null || !n.isArray()) {
            throw ManagementException.badRequest("missing argument " + key + " (a list)");
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return out;
    }

    public boolean flag(String key) {
        JsonNode n = json.get(key);
        return n != null && n.asBoolean(false);
    }

    /** An integer argument, or {@code fallback} when absent. */
    public int integer(String key, int fallback) {
        JsonNode n = json.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.canConvertToInt()) {
            throw ManagementException.badRequest(key + " must be a whole number");
        }
        return n.asInt();
    }

    /** A size: a number of bytes or text such as 10G. */
    public long size(String key) {
        JsonNode n = json.get(key);
        if (n == null || n.isNull()) {
            throw ManagementException.badRequest("missing argument " + key);
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return n.asLong();
        }
        try {
            return Sizes.parse(n.asText());
        } catch (IllegalArgumentException e) {
            throw ManagementException.badRequest(e.getMessage());
        }
    }

    /**
     * A new size: a number of bytes or text such as {@code 20G} (absolute), {@code +10G} or
     * {@code -1G} (relative to the current size); see {@link Sizes#parseChange}.
     */
    public Sizes.Change sizeChange(String key) {
        JsonNode n = json.get(key);
        if (n == null || n.isNull()) {
            throw ManagementException.badRequest("missing argument " + key);
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            if (n.asLong() < 0) {
                throw ManagementException.badRequest(key + " must not be negative (shrink by an amount with \"-1G\")");
            }
            return new Sizes.Change(Sizes.Change.Kind.ABSOLUTE, n.asLong());
        }
        try {
            return Sizes.parseChange(n.asText());
        } catch (IllegalArgumentException e) {
            throw ManagementException.badRequest(e.getMessage());
        }
    }

    public ImageFormat format(ImageFormat fallback) {
        String w = optText("format");
        return w == null ? fallback : ImageFormat.fromWord(w).orElseThrow(() ->
                ManagementException.badRequest("unknown format \"" + w + "\" (use qcow2 or raw)"));
    }

    public Provisioning provisioning(Provisioning fallback) {
        String w = optText("provisioning");
        return w == null ? fallback : Provisioning.fromWord(w).orElseThrow(() ->
                ManagementException.badRequest("unknown provisioning \"" + w + "\" (use thin or thick)"));
    }
}
