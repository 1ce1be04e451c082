package io.berth.migrate.v1;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks, as the bytes stream past, that a decompressed layer is a tar: every header's checksum,
 * every entry's data present, and whether the end-of-archive marker came. Counts entries, so an
 * empty layer (ENV, CMD) is recognised by content, never by digest (spec §4). Written as a push
 * parser so the layer is read exactly once; the bytes hashed for the diff_id are the raw stream.
 * An optional {@link Listener} is told each entry's header (PAX and GNU long names merged, as
 * Go's archive/tar reader does) and content, which is what {@link TarSum} needs.
 */
final class TarCheck {
    static final int BLOCK = 512;
    private static final int META_LIMIT = 1 << 20;

    /** The stream is not a tar (first header broken) or is a broken tar (a later header). */
    static final class TarException extends Exception {
        final boolean firstHeader;

        TarException(String message, boolean firstHeader) {
            super(message);
            this.firstHeader = firstHeader;
        }
    }

    /**
     * One entry's header as Go's archive/tar returned it to docker's tarsum. Strings hold the
     * header's raw bytes one char per byte (ISO-8859-1), so hashing them gives back those bytes.
     *
     * @param size   the size field (or PAX size), even for types that carry no data
     * @param xattrs {@code SCHILY.xattr.*} PAX records, prefix removed, sorted by key
     */
    record Header(String name, long mode, long uid, long gid, long size, long mtime, byte typeflag,
                  String linkname, String uname, String gname, long devmajor, long devminor,
                  Map<String, String> xattrs) {
    }

    /** Told each entry, then its content bytes (the size field's worth, padding excluded). */
    interface Listener {
        void entry(Header h);

        void data(byte[] b, int off, int len);
    }

    private final Listener listener;
    private final byte[] header = new byte[BLOCK];
    private int headerFill;
    private long dataRemaining;   // data and padding of the current entry still to come
    private long contentRemaining; // of which content (told to the listener)
    private long offset;
    private long entries;
    private boolean ended;
    /** The current meta entry's data ('x' PAX, 'L'/'K' GNU long names) being collected, or null. */
    private byte[] meta;
    private int metaFill;
    private char metaType;
    private Map<String, String> pax;
    private String longName;
    private String longLink;

    TarCheck() {
        this(null);
    }

    TarCheck(Listener listener) {
        this.listener = listener;
    }

    void feed(byte[] b, int off, int len) throws TarException {
        int end = off + len;
        while (off < end && !ended) {
            if (dataRemaining > 0) {
                int n = (int) Math.min(dataRemaining, end - off);
                int content = (int) Math.min(contentRemaining, n);
                if (meta != null && metaFill < meta.length) {
                    int k = Math.min(content, meta.length - metaFill);
                    System.arraycopy(b, off, meta, metaFill, k);
                    metaFill += k;
                } else if (listener != null && content > 0) {
                    listener.data(b, off, content);
                }
                contentRemaining -= content;
                off += n;
                offset += n;
                dataRemaining -= n;
                if (dataRemaining == 0 && meta != null) {
                    endMeta();
                }
                continue;
            }
            int n = Math.min(BLOCK - headerFill, end - off);
            System.arraycopy(b, off, header, headerFill, n);
            headerFill += n;
            off += n;
            offset += n;
            if (headerFill == BLOCK) {
                headerFill = 0;
                onHeader();
            }
        }
        if (ended) {
            offset += end - off; // padding after the marker (record blocking): hashed, not parsed
        }
    }

    private void onHeader() throws TarException {
        boolean zero = true;
        for (byte x : header) {
            if (x != 0) {
                zero = false;
                break;
            }
        }
        if (zero) {
            ended = true;
            return;
        }
        long stored = parseOctal(header, 148, 8);
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int v = (i >= 148 && i < 156) ? ' ' : header[i];
            unsigned += v & 0xff;
            signed += (byte) v;
        }
        long at = offset - BLOCK;
        if (stored < 0 || (stored != unsigned && stored != signed)) {
            throw new TarException("no valid tar header at offset " + at, entries == 0 && at == 0);
        }
        char type = (char) header[156];
        long size = parseNumeric(header, 124, 12);
        if (size < 0) {
            throw new TarException("tar header at offset " + at + " has an unreadable size", entries == 0 && at == 0);
        }
        long data = size;
        if (type == 'x' || type == 'L' || type == 'K') {
            meta = new byte[(int) Math.min(size, META_LIMIT)];
            metaFill = 0;
            metaType = type;
        } else {
            if (pax != null && pax.containsKey("size")) {
                data = parseLong(pax.get("size"), -1);
                if (data < 0) {
                    throw new TarException("PAX size of the entry at offset " + at + " is unreadable", false);
                }
            }
            if (type != 'g') { // a global PAX header is no file (but Go's reader handed it to tarsum as one)
                entries++;
            }
            if (listener != null) {
                listener.entry(entryHeader(data, type));
            }
            pax = null;
            longName = null;
            longLink = null;
            if (type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6') {
                data = 0; // links, devices, directories, fifos carry no data whatever the field says
            }
        }
        contentRemaining = data;
        dataRemaining = (data + BLOCK - 1) / BLOCK * BLOCK;
        if (dataRemaining == 0 && meta != null) {
            endMeta();
        }
    }

    /** The fields as Go's reader merged them: GNU long names, then PAX records, over the ustar header. */
    private Header entryHeader(long size, char type) {
        boolean ustar = match(257, "ustar\0") && header[263] == '0' && header[264] == '0';
        boolean gnu = match(257, "ustar  \0");
        String name = cString(0, 100);
        if (ustar) {
            String prefix = match(508, "tar\0") ? cString(345, 131) : cString(345, 155); // star: atime/ctime follow
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
        }
        String linkname = cString(157, 100);
        String uname = ustar || gnu ? cString(265, 32) : "";
        String gname = ustar || gnu ? cString(297, 32) : "";
        long uid = parseNumeric(header, 108, 8);
        long gid = parseNumeric(header, 116, 8);
        long mtime = parseNumeric(header, 136, 12);
        if (longName != null) {
            name = longName;
        }
        if (longLink != null) {
            linkname = longLink;
        }
        Map<String, String> xattrs = Map.of();
        if (pax != null) {
            name = pax.getOrDefault("path", name);
            linkname = pax.getOrDefault("linkpath", linkname);
            uname = pax.getOrDefault("uname", uname);
            gname = pax.getOrDefault("gname", gname);
            uid = parseLong(pax.get("uid"), uid);
            gid = parseLong(pax.get("gid"), gid);
            if (pax.containsKey("mtime")) {
                mtime = paxSeconds(pax.get("mtime"), mtime);
            }
            TreeMap<String, String> x = new TreeMap<>();
            for (Map.Entry<String, String> e : pax.entrySet()) {
                if (e.getKey().startsWith("SCHILY.xattr.")) {
                    x.put(e.getKey().substring("SCHILY.xattr.".length()), e.getValue());
                }
            }
            xattrs = x;
        }
        long devmajor = ustar || gnu ? Math.max(0, parseNumeric(header, 329, 8)) : 0;
        long devminor = ustar || gnu ? Math.max(0, parseNumeric(header, 337, 8)) : 0;
        return new Header(name, parseNumeric(header, 100, 8), uid, gid, size, mtime, (byte) type, linkname, uname,
                gname, devmajor, devminor, xattrs);
    }

    private void endMeta() {
        byte[] m = meta;
        int len = metaFill;
        meta = null;
        if (metaType == 'x') {
            pax = parsePax(m, len);
        } else {
            int n = 0;
            while (n < len && m[n] != 0) {
                n++;
            }
            String s = new String(m, 0, n, StandardCharsets.ISO_8859_1);
            if (metaType == 'L') {
                longName = s;
            } else {
                longLink = s;
            }
        }
    }

    /** PAX records {@code "<len> <key>=<value>\n"}, by length (xattr values are binary and may hold newlines). */
    static Map<String, String> parsePax(byte[] data, int len) {
        Map<String, String> out = new TreeMap<>();
        int i = 0;
        while (i < len) {
            int sp = i;
            long n = 0;
            while (sp < len && data[sp] >= '0' && data[sp] <= '9') {
                n = n * 10 + (data[sp] - '0');
                sp++;
            }
            if (sp >= len || data[sp] != ' ' || n <= 0 || i + n > len) {
                break; // malformed: keep what was read
            }
            int recEnd = (int) (i + n); // exclusive; the byte before is '\n'
            int eq = sp + 1;
            while (eq < recEnd && data[eq] != '=') {
                eq++;
            }
            if (eq < recEnd) {
                String key = new String(data, sp + 1, eq - sp - 1, StandardCharsets.ISO_8859_1);
                int valueEnd = data[recEnd - 1] == '\n' ? recEnd - 1 : recEnd;
                out.put(key, new String(data, eq + 1, valueEnd - eq - 1, StandardCharsets.ISO_8859_1));
            }
            i = recEnd;
        }
        return out;
    }

    private boolean match(int off, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (header[off + i] != (byte) s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private String cString(int off, int len) {
        int n = 0;
        while (n < len && header[off + n] != 0) {
            n++;
        }
        return new String(header, off, n, StandardCharsets.ISO_8859_1);
    }

    private static long parseLong(String s, long otherwise) {
        if (s == null) {
            return otherwise;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** A PAX time {@code "seconds[.fraction]"}: whole seconds, as Go's {@code Time.Unix()} gives them. */
    private static long paxSeconds(String s, long otherwise) {
        int dot = s.indexOf('.');
        long secs = parseLong(dot < 0 ? s : s.substring(0, dot), Long.MIN_VALUE);
        if (secs == Long.MIN_VALUE) {
            return otherwise;
        }
        boolean fraction = dot >= 0 && s.substring(dot + 1).chars().anyMatch(c -> c != '0');
        return s.startsWith("-") && fraction ? secs - 1 : secs;
    }

    /** A numeric field: base-256 when the top bit is set (GNU/Go, large or negative values), else octal. */
    static long parseNumeric(byte[] h, int off, int len) {
        if ((h[off] & 0x80) != 0) {
            long v = (h[off] & 0x40) != 0 ? -1L << 6 | (h[off] & 0x3f) : h[off] & 0x3f; // sign-extended
            for (int i = off + 1; i < off + len; i++) {
                v = (v << 8) | (h[i] & 0xff);
            }
            return v;
        }
        return parseOctal(h, off, len);
    }

    /** An octal field: leading spaces or NULs, digits, then NUL or space; -1 if malformed. */
    static long parseOctal(byte[] h, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end && (h[i] == ' ' || h[i] == 0)) {
            i++;
        }
        long v = 0;
        boolean digits = false;
        for (; i < end; i++) {
            byte c = h[i];
            if (c >= '0' && c <= '7') {
                v = v * 8 + (c - '0');
                digits = true;
            } else if (c == 0 || c == ' ') {
                break;
            } else {
                return -1;
            }
        }
        return digits ? v : 0;
    }

    /** Called at the end of the stream: a partial header block or missing entry data is a truncated tar. */
    void finish() throws TarException {
        if (ended) {
            return;
        }
        if (headerFill != 0 || dataRemaining > 0) {
            throw new TarException("the tar ends inside " + (headerFill != 0 ? "a header" : "an entry's data")
                    + " at offset " + offset, false);
        }
    }

    long entries() {
        return entries;
    }

    /** Whether the end-of-archive marker was seen (docker 0.6 to 1.2 never wrote it). */
    boolean sawEnd() {
        return ended;
    }
}
