package io.berth.core.reference;

import java.util.Objects;

/** A tag: {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}. */
public record Tag(String value) implements Comparable<Tag> {

    public Tag {
        Objects.requireNonNull(value, "value");
        if (!matchesGrammar(value)) {
            throw new InvalidTagException(value);
        }
    }

    public static Tag of(String value) {
        return new Tag(value);
    }

    public static boolean isValid(String value) {
        return value != null && matchesGrammar(value);
    }

    /** The grammar by one scan rather than a regex: a gc walk checks a tag per tag link it meets. */
    private static boolean matchesGrammar(String v) {
        int n = v.length();
        if (n == 0 || n > 128 || v.charAt(0) == '.' || v.charAt(0) == '-') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int compareTo(Tag o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
