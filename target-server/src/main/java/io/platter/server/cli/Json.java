package io.platter.server.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * The CLI's JSON (RFC 8259): requests written and answers read with Jackson's streaming parser into
 * its tree nodes, without an {@code ObjectMapper}. Building a mapper costs a command-line call about
 * a fifth of its time (its serializer and deserializer machinery), and the CLI only ever sends a flat
 * map and reads a tree.
 */
final class Json {

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {
    }

    /**
     * A request body: {@code args} as a JSON object. Values may be null, strings, numbers, booleans,
     * lists and maps of those; anything else is written as its {@code toString()}.
     */
    static byte[] write(Map<String, ?> args) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            writeValue(g, args);
        }
        return out.toByteArray();
    }

    private static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Iterable<?> list) {
            g.writeStartArray();
            for (Object o : list) {
                writeValue(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Number n) {
            g.writeNumber(n.doubleValue());
        } else {
            g.writeString(v.toString());
        }
    }

    /** The tree of one JSON document given as text (for tests and printing code). */
    static JsonNode read(String text) throws IOException {
        return read(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The tree of one JSON document; an {@link IOException} when it is not one. */
    static JsonNode read(byte[] body) throws IOException {
        try (JsonParser p = FACTORY.createParser(body)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new IOException("empty JSON document");
            }
            JsonNode root = readValue(p, first);
            if (p.nextToken() != null) {
                throw new IOException("trailing data after the JSON document");
            }
            return root;
        }
    }

    /** Reads the value starting at {@code token}; containers iteratively, so nesting depth costs no stack. */
    private static JsonNode readValue(JsonParser p, JsonToken token) throws IOException {
        if (token != JsonToken.START_OBJECT && token != JsonToken.START_ARRAY) {
            return scalar(p, token);
        }
        Deque<ContainerNode<?>> open = new ArrayDeque<>();
        ContainerNode<?> root = token == JsonToken.START_OBJECT ? NODES.objectNode() : NODES.arrayNode();
        open.push(root);
        String field = null;
        while (!open.isEmpty()) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new IOException("JSON document ends inside a container");
            }
            if (t == JsonToken.FIELD_NAME) {
                field = p.currentName();
                continue;
            }
            if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                open.pop();
                continue;
            }
            JsonNode value;
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                value = t == JsonToken.START_OBJECT ? NODES.objectNode() : NODES.arrayNode();
            } else {
                value = scalar(p, t);
            }
            ContainerNode<?> parent = open.peek();
            if (parent instanceof ObjectNode o) {
                o.set(field, value);
            } else {
                ((ArrayNode) parent).add(value);
            }
            if (value instanceof ContainerNode<?> c) {
                open.push(c);
            }
        }
        return root;
    }

    private static JsonNode scalar(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case VALUE_STRING -> NODES.textNode(p.getText());
            // As ObjectMapper.readTree would: the smallest of int, long, BigInteger that holds it.
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> NODES.numberNode(p.getIntValue());
                case LONG -> NODES.numberNode(p.getLongValue());
                default -> NODES.numberNode(p.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new IOException("unexpected JSON token " + t);
        };
    }
}
