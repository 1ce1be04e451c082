package io.berth.core.reference;

import java.util.Objects;

/**
 * A repository name as distribution's reference grammar defines it: path components of
 * {@code [a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*} joined by {@code /}, at most 255 characters.
 * The grammar rules out {@code ..}, empty components and leading or trailing slashes, so a
 * valid name is always a safe storage path fragment.
 */
public record RepositoryName(String value) implements Comparable<RepositoryName> {
    public static final int MAX_LENGTH = 255;
    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
    private static final String GRAMMAR = COMPONENT + "(?:/" + COMPONENT + ")*";

    public RepositoryName {
        Objects.requireNonNull(value, "value");
        if (value.length() > MAX_LENGTH) {
            throw new InvalidNameException(value, "longer than " + MAX_LENGTH + " characters");
        }
        if (!matchesGrammar(value)) {
            throw new InvalidNameException(value, "does not match " + GRAMMAR);
        }
    }

    public static RepositoryName of(String value) {
        return new RepositoryName(value);
    }

    public static boolean isValid(String value) {
        return value != null && value.length() <= MAX_LENGTH && matchesGrammar(value);
    }

    /**
     * {@link #GRAMMAR} by one scan (a gc walk checks the name of each of hundreds of thousands of
     * paths): each component is runs of {@code [a-z0-9]} joined by one {@code .}, one or two
     * {@code _}, or any number of {@code -}.
     */
    private static boolean matchesGrammar(String v) {
        int n = v.length();
        int i = 0;
        while (true) {
            int run = i; // a run of [a-z0-9]: at a component's start, and after each separator
            while (i < n && alnum(v.charAt(i))) {
                i++;
            }
            if (i == run) {
                return false;
            }
            if (i == n) {
                return true;
            }
            char c = v.charAt(i);
            if (c == '/' || c == '.') {
                i++;
            } else if (c == '_') {
                i += i + 1 < n && v.charAt(i + 1) == '_' ? 2 : 1;
            } else if (c == '-') {
                while (i < n && v.charAt(i) == '-') {
                    i++;
                }
            } else {
                return false;
            }
        }
    }

    private static boolean alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
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
