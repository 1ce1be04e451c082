package io.berth.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Typed reads of config sections whose inner keys ConfigKeys cannot list (list items, free maps). */
final class Nodes {
    private Nodes() {
    }

    static boolean absent(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull();
    }

    static boolean bool(String key, JsonNode n, boolean dflt) {
        if (absent(n)) {
            return dflt;
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        String s = n.asText().toLowerCase(Locale.ROOT);
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new ConfigException(key + ": expected true or false, got \"" + n.asText() + "\"");
    }

    static int integer(String key, JsonNode n, int dflt) {
        if (absent(n)) {
            return dflt;
        }
        if (n.canConvertToInt() || n.asText().matches("^-?\\d+$")) {
            return n.isNumber() ? n.asInt() : Integer.parseInt(n.asText());
        }
        throw new ConfigException(key + ": expected an integer, got \"" + n.asText() + "\"");
    }

    static String string(String key, JsonNode n, String dflt) {
        if (absent(n)) {
            return dflt;
        }
        if (!n.isValueNode()) {
            throw new ConfigException(key + ": expected a string");
        }
        return n.asText();
    }

    /** A YAML list of mappings; a missing key is an empty list. */
    static List<JsonNode> items(String key, JsonNode n) {
        List<JsonNode> out = new ArrayList<>();
        if (absent(n)) {
            return out;
        }
        if (!n.isArray()) {
            throw new ConfigException(key + ": expected a list");
        }
        for (int i = 0; i < n.size(); i++) {
            if (!n.get(i).isObject()) {
                throw new ConfigException(key + "[" + i + "]: expected a mapping");
            }
            out.add(n.get(i));
        }
        return out;
    }

    static List<String> strings(String key, JsonNode n) {
        List<String> out = new ArrayList<>();
        if (absent(n)) {
            return out;
        }
        if (n.isValueNode()) {
            out.add(n.asText());
            return out;
        }
        if (!n.isArray()) {
            throw new ConfigException(key + ": expected a list of strings");
        }
        n.forEach(v -> out.add(v.asText()));
        return out;
    }

    /** Header name to values, as distribution's {@code http.Header} fields are written. */
    static Map<String, List<String>> headers(String key, JsonNode n) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (absent(n)) {
            return out;
        }
        if (!n.isObject()) {
            throw new ConfigException(key + ": must be a mapping of header name to a list of values");
        }
        n.fields().forEachRemaining(e -> out.put(e.getKey(), strings(key + "." + e.getKey(), e.getValue())));
        return out;
    }

    /** Stops start-up on a key the section does not have (a typo would otherwise be silently ignored). */
    static void only(String key, JsonNode n, Set<String> allowed) {
        Iterator<String> names = n.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            if (!allowed.contains(f)) {
                throw new ConfigException(key + "." + f + ": unknown configuration key");
            }
        }
    }
}
