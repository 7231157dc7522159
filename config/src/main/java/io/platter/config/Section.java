package io.platter.config;

import io.platter.config.ConfigKey.Scope;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.configuration2.tree.ImmutableNode;

/**
 * One YAML mapping as Commons Configuration's node tree presents it, with typed, problem-reporting
 * access to its keys. In that tree a YAML list becomes several sibling nodes with the list's key as
 * name, so a key seen once may have been a one-element list or a single value; both are accepted.
 */
final class Section {

    /** A scalar item of a list key and where it is. */
    record Item(String where, Object value) {
    }

    private final String where;
    private final Map<String, List<ImmutableNode>> children;
    private final Problems problems;

    private Section(String where, Map<String, List<ImmutableNode>> children, Problems problems) {
        this.where = where;
        this.children = children;
        this.problems = problems;
    }

    /** Opens {@code node} as a mapping of {@code scope}, reporting keys that do not belong there. */
    static Section open(String where, ImmutableNode node, Scope scope, Problems problems) {
        Map<String, List<ImmutableNode>> children = new LinkedHashMap<>();
        for (ImmutableNode child : node.getChildren()) {
            children.computeIfAbsent(child.getNodeName(), k -> new ArrayList<>()).add(child);
        }
        Section section = new Section(where, children, problems);
        for (String key : children.keySet()) {
            if (ConfigKey.find(scope, key).isEmpty()) {
                problems.add(section.path(key), unknownKey(key, scope));
            }
        }
        return section;
    }

    String where() {
        return where;
    }

    String path(ConfigKey key) {
        return path(key.word());
    }

    private String path(String word) {
        return where.isEmpty() ? word : where + "." + word;
    }

    void problem(ConfigKey key, String message) {
        problems.add(path(key), message);
    }

    /** A problem at a path under this section, such as a list item's. */
    void problemAt(String path, String message) {
        problems.add(path, message);
    }

    void warn(ConfigKey key, String message) {
        problems.warn(path(key), message);
    }

    /** Whether the key is written in the file at all (even with an empty value). */
    boolean has(ConfigKey key) {
        return children.containsKey(key.word());
    }

    /** The key's single value; null when absent or empty (missing required keys are reported). */
    Object scalar(ConfigKey key) {
        List<ImmutableNode> nodes = children.getOrDefault(key.word(), List.of());
        if (nodes.size() > 1) {
            problem(key, "expected a single value, not a list");
            return null;
        }
        ImmutableNode node = nodes.isEmpty() ? null : nodes.get(0);
        if (node != null && !node.getChildren().isEmpty()) {
            problem(key, "expected a single value, not a mapping");
            return null;
        }
        Object value = node == null ? null : node.getValue();
        if (value == null && key.required()) {
            problem(key, "missing (required)");
        }
        return value;
    }

    /** The key's value as a whole number in [min, max]; null when absent or reported. */
    Integer integer(ConfigKey key, int min, int max) {
        Object raw = scalar(key);
        if (raw == null) {
            return null;
        }
        BigInteger n = wholeNumber(raw);
        if (n == null) {
            problem(key, "expected a whole number, got " + key.show(raw));
            return null;
        }
        if (n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0) {
            problem(key, "must be " + min + "-" + max + ", got " + key.show(raw));
            return null;
        }
        return n.intValueExact();
    }

    /** The key's value as trimmed text; numbers are taken as text, other YAML types are reported. */
    String text(ConfigKey key) {
        Object raw = scalar(key);
        if (raw == null) {
            return null;
        }
        if (raw instanceof String || raw instanceof Number) {
            String text = raw.toString().trim();
            if (text.isEmpty()) {
                if (key.required()) {
                    problem(key, "missing (required)");
                }
                return null;
            }
            return text;
        }
        problem(key, "expected text, got " + yamlType(raw) + "; put the value in quotes");
        return null;
    }

    /** The mappings listed under {@code key}, each opened as {@code scope}; non-mappings are reported. */
    List<Section> entries(ConfigKey key, Scope scope) {
        List<Section> out = new ArrayList<>();
        List<Item> loose = new ArrayList<>();
        List<ImmutableNode> nodes = children.getOrDefault(key.word(), List.of());
        for (int i = 0; i < nodes.size(); i++) {
            ImmutableNode node = nodes.get(i);
            String at = path(key) + "[" + i + "]";
            if (!node.getChildren().isEmpty()) {
                out.add(open(at, node, scope, problems));
            } else if (node.getValue() != null || nodes.size() > 1) {
                loose.add(new Item(at, node.getValue()));
            }
            // A lone node without value or children is "key:" with nothing after it: an empty list.
        }
        for (Item item : loose) {
            problems.add(item.where(), "expected a mapping with keys "
                    + String.join(", ", ConfigKey.words(scope)) + ", got "
                    + (item.value() == null ? "an empty entry" : key.show(item.value())));
        }
        return out;
    }

    /** The scalar items listed under {@code key}; mappings and empty entries are reported. */
    List<Item> items(ConfigKey key) {
        List<Item> out = new ArrayList<>();
        List<ImmutableNode> nodes = children.getOrDefault(key.word(), List.of());
        for (int i = 0; i < nodes.size(); i++) {
            ImmutableNode node = nodes.get(i);
            String at = path(key) + "[" + i + "]";
            if (!node.getChildren().isEmpty()) {
                problems.add(at, "expected a single value, not a mapping");
            } else if (node.getValue() != null) {
                out.add(new Item(at, node.getValue()));
            } else if (nodes.size() > 1) {
                problems.add(at, "empty entry");
            }
        }
        return out;
    }

    /** The mapping under {@code key} opened as {@code scope}; an empty section when absent or reported. */
    Section child(ConfigKey key, Scope scope) {
        List<ImmutableNode> nodes = children.getOrDefault(key.word(), List.of());
        String at = path(key);
        if (nodes.size() > 1) {
            problems.add(at, "expected a mapping, not a list");
        } else if (nodes.size() == 1) {
            ImmutableNode node = nodes.get(0);
            if (node.getChildren().isEmpty() && node.getValue() != null) {
                problems.add(at, "expected a mapping with keys " + String.join(", ", ConfigKey.words(scope))
                        + ", got " + key.show(node.getValue()));
            } else {
                return open(at, node, scope, problems);
            }
        }
        return new Section(at, Map.of(), problems);
    }

    static BigInteger wholeNumber(Object raw) {
        if (raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof Byte) {
            return BigInteger.valueOf(((Number) raw).longValue());
        }
        if (raw instanceof BigInteger big) {
            return big;
        }
        if (raw instanceof String s && s.trim().matches("[-+]?\\d{1,30}")) {
            return new BigInteger(s.trim());
        }
        return null;
    }

    /** The YAML type of a resolved scalar, in the user's words. */
    static String yamlType(Object raw) {
        if (raw instanceof Boolean) {
            return "a yes/no value";
        }
        if (raw instanceof java.util.Date) {
            return "a date";
        }
        if (raw instanceof Number) {
            return "a number";
        }
        if (raw instanceof byte[]) {
            return "binary data";
        }
        return "a " + raw.getClass().getSimpleName();
    }

    private static String unknownKey(String key, Scope scope) {
        List<String> known = ConfigKey.words(scope);
        String best = null;
        int bestDistance = 3;
        for (String candidate : known) {
            int d = distance(key.toLowerCase(java.util.Locale.ROOT), candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return "unknown key \"" + key + "\"" + (best != null
                ? " (did you mean \"" + best + "\"?)"
                : " (known keys here: " + String.join(", ", known) + ")");
    }

    /** Levenshtein distance, for "did you mean" hints. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
