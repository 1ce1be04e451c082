package io.berth.core.storage;

import java.util.regex.Pattern;

/** The path grammar every driver accepts, as distribution's {@code PathRegexp}. */
public final class StoragePaths {
    /**
     * One or more {@code /segment}s of {@code [A-Za-z0-9._%-]}; no {@code .} or {@code ..} segments.
     * distribution's grammar plus {@code %}: legacy V1 stores (read by migrate) hold names escaped
     * by Python's {@code quote_plus} ({@code %2E}, {@code b%252Fc}). V2 names, tags and digests
     * never contain {@code %}, so the registry itself never builds such a path.
     */
    public static final Pattern PATTERN = Pattern.compile("^(/[A-Za-z0-9._%-]+)+$");

    private StoragePaths() {
    }

    /** Checks a file path; throws {@link InvalidPathException} if it breaks the grammar. */
    public static String check(String path) throws InvalidPathException {
        if (path == null || !wellFormed(path)) {
            throw new InvalidPathException(String.valueOf(path));
        }
        return path;
    }

    /**
     * {@link #PATTERN} without {@code .} and {@code ..} segments, by one scan: every driver call
     * checks its path, and a gc walk parses hundreds of thousands, where the regex cost more
     * than the system call it guarded.
     */
    private static boolean wellFormed(String path) {
        int n = path.length();
        if (n < 2 || path.charAt(0) != '/') {
            return false;
        }
        int segment = 1;
        for (int i = 1; i <= n; i++) {
            char c = i < n ? path.charAt(i) : '/';
            if (c == '/') {
                int len = i - segment;
                if (len == 0 || path.charAt(segment) == '.' && (len == 1 || len == 2 && path.charAt(segment + 1) == '.')) {
                    return false;
                }
                segment = i + 1;
            } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '%' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** Checks a directory path for list and walk, where the root {@code /} is also allowed. */
    public static String checkDir(String path) throws InvalidPathException {
        return "/".equals(path) ? path : check(path);
    }

    public static String parent(String path) {
        int i = path.lastIndexOf('/');
        return i <= 0 ? "/" : path.substring(0, i);
    }

    public static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    public static String join(String dir, String child) {
        return "/".equals(dir) ? "/" + child : dir + "/" + child;
    }
}
