package io.berth.core.reference;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A repository name as distribution's reference grammar defines it: path components of
 * {@code [a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*} joined by {@code /}, at most 255 characters.
 * The grammar rules out {@code ..}, empty components and leading or trailing slashes, so a
 * valid name is always a safe storage path fragment.
 */
public record RepositoryName(String value) implements Comparable<RepositoryName> {
    public static final int MAX_LENGTH = 255;
    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
    private static final Pattern GRAMMAR = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");

    public RepositoryName {
        Objects.requireNonNull(value, "value");
        if (value.length() > MAX_LENGTH) {
            throw new InvalidNameException(value, "longer than " + MAX_LENGTH + " characters");
        }
        if (!GRAMMAR.matcher(value).matches()) {
            throw new InvalidNameException(value, "does not match " + GRAMMAR.pattern());
        }
    }

    public static RepositoryName of(String value) {
        return new RepositoryName(value);
    }

    public static boolean isValid(String value) {
        return value != null && value.length() <= MAX_LENGTH && GRAMMAR.matcher(value).matches();
    }

    /**
     * Catalog order, as distribution walks the tree: by path component, so {@code a/b} sorts
     * before {@code a-b} ({@code /} ranks below every other character).
     */
    @Override
    public int compareTo(RepositoryName o) {
        return compareCatalogOrder(value, o.value);
    }

    public static int compareCatalogOrder(String a, String b) {
        return a.replace('/', '\0').compareTo(b.replace('/', '\0'));
    }

    @Override
    public String toString() {
        return value;
    }
}
