package io.berth.core.reference;

import java.util.Objects;
import java.util.regex.Pattern;

/** A tag: {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}. */
public record Tag(String value) implements Comparable<Tag> {
    private static final Pattern GRAMMAR = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    public Tag {
        Objects.requireNonNull(value, "value");
        if (!GRAMMAR.matcher(value).matches()) {
            throw new InvalidTagException(value);
        }
    }

    public static Tag of(String value) {
        return new Tag(value);
    }

    public static boolean isValid(String value) {
        return value != null && GRAMMAR.matcher(value).matches();
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
