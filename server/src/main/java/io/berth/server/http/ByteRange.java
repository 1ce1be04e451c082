package io.berth.server.http;

/** The single {@code Range: bytes=} forms a blob GET honours (RFC 9110 §14.1.2). */
final class ByteRange {
    static final long[] UNSATISFIABLE = new long[0];
    /** A {@code bytes=} range that is not one ({@code 5-2}, {@code x-y}): 416, as Go's ServeContent answers. */
    static final long[] MALFORMED = new long[0];

    private ByteRange() {
    }

    /**
     * @return {@code [first, last]} inclusive; {@link #UNSATISFIABLE}; {@link #MALFORMED}; or null
     *     when the header names another unit or asks for several ranges, which RFC 9110 lets a
     *     server ignore (full 200). RFC 9110 lets a server ignore or reject an invalid range; it is
     *     rejected, so a client's bug shows instead of a silent download of the whole blob.
     */
    static long[] parse(String header, long size) {
        String h = header.trim();
        if (!h.startsWith("bytes=") || h.indexOf(',') >= 0) {
            return null;
        }
        String spec = h.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return MALFORMED;
        }
        try {
            String a = spec.substring(0, dash).trim();
            String b = spec.substring(dash + 1).trim();
            if (a.isEmpty()) {
                long suffix = Long.parseLong(b);
                if (suffix <= 0 || size == 0) {
                    return UNSATISFIABLE;
                }
                return new long[] {Math.max(0, size - suffix), size - 1};
            }
            long first = Long.parseLong(a);
            // an open range ("bytes=<size>-") past the end is unsatisfiable, not malformed
            if (first < 0 || (!b.isEmpty() && Long.parseLong(b) < first)) {
                return MALFORMED;
            }
            if (first >= size) {
                return UNSATISFIABLE;
            }
            long last = b.isEmpty() ? size - 1 : Long.parseLong(b);
            return new long[] {first, Math.min(last, size - 1)};
        } catch (NumberFormatException e) {
            return MALFORMED;
        }
    }

    /**
     * Whether the header is one {@code bytes=first-[last]} range (which {@link #parse} found
     * satisfiable): the form S3 and Azure Blob both serve as asked behind a redirect.
     */
    static boolean isFromTo(String header) {
        String spec = header.trim().substring("bytes=".length()).trim();
        return !spec.isEmpty() && Character.isDigit(spec.charAt(0));
    }
}
