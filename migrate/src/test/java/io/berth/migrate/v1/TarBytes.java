package io.berth.migrate.v1;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Builds real ustar archives for the test layers (as the server tests' UstarWriter does): fixed
 * metadata, 512-byte headers with checksums, data padded to 512, and optionally the two zero
 * end blocks (docker 0.6 to 1.2 pushed layers without them) and 10240-byte record padding
 * (Python's tarfile, bsdtar).
 */
public final class TarBytes {
    private static final int BLOCK = 512;

    private TarBytes() {
    }

    public static byte[] of(Map<String, byte[]> files, boolean endMarker, boolean recordPadding) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            boolean dir = f.getKey().endsWith("/");
            out.writeBytes(header(f.getKey(), dir ? 0 : f.getValue().length, dir ? '5' : '0'));
            if (!dir) {
                out.writeBytes(f.getValue());
                int rem = f.getValue().length % BLOCK;
                if (rem != 0) {
                    out.writeBytes(new byte[BLOCK - rem]);
                }
            }
        }
        if (endMarker) {
            out.writeBytes(new byte[2 * BLOCK]);
        }
        if (recordPadding && out.size() % 10240 != 0) {
            out.writeBytes(new byte[10240 - out.size() % 10240]);
        }
        return out.toByteArray();
    }

    /** The header magic: POSIX ustar ({@code "ustar\0" "00"}), GNU ({@code "ustar  \0"}) or none (v7). */
    public enum Format { USTAR, GNU, V7 }

    /**
     * One entry with every header field under the test's control. {@code pax} records (e.g.
     * {@code SCHILY.xattr.user.a}, {@code path}) go into an 'x' header before it; {@code gnuLongName}
     * writes an 'L' entry before it; {@code prefix} fills the ustar prefix field.
     */
    public record Entry(String name, long mode, long uid, long gid, String uname, String gname, long mtime, byte type,
                        String linkname, long devmajor, long devminor, byte[] data, Map<String, byte[]> pax,
                        String gnuLongName, String prefix) {
        public static Entry file(String name, long mode, long mtime, byte[] data) {
            return new Entry(name, mode, 0, 0, "", "", mtime, (byte) '0', "", 0, 0, data, Map.of(), null, "");
        }

        public Entry owner(long u, long g, String un, String gn) {
            return new Entry(name, mode, u, g, un, gn, mtime, type, linkname, devmajor, devminor, data, pax, gnuLongName, prefix);
        }

        public Entry type(char t, String link) {
            return new Entry(name, mode, uid, gid, uname, gname, mtime, (byte) t, link, devmajor, devminor, data, pax,
                    gnuLongName, prefix);
        }

        public Entry device(long major, long minor) {
            return new Entry(name, mode, uid, gid, uname, gname, mtime, type, linkname, major, minor, data, pax, gnuLongName,
                    prefix);
        }

        public Entry pax(Map<String, byte[]> records) {
            return new Entry(name, mode, uid, gid, uname, gname, mtime, type, linkname, devmajor, devminor, data, records,
                    gnuLongName, prefix);
        }

        public Entry gnuLongName(String longName) {
            return new Entry(name, mode, uid, gid, uname, gname, mtime, type, linkname, devmajor, devminor, data, pax,
                    longName, prefix);
        }

        public Entry prefix(String p) {
            return new Entry(name, mode, uid, gid, uname, gname, mtime, type, linkname, devmajor, devminor, data, pax,
                    gnuLongName, p);
        }
    }

    /** A tar of {@code entries} with the end marker. */
    public static byte[] of(List<Entry> entries, Format format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Entry e : entries) {
            if (!e.pax().isEmpty()) {
                ByteArrayOutputStream records = new ByteArrayOutputStream();
                for (Map.Entry<String, byte[]> r : e.pax().entrySet()) {
                    byte[] body = concat(" ".getBytes(StandardCharsets.US_ASCII), r.getKey().getBytes(StandardCharsets.UTF_8),
                            "=".getBytes(StandardCharsets.US_ASCII), r.getValue(), "\n".getBytes(StandardCharsets.US_ASCII));
                    int len = body.length + 1;
                    while (len != body.length + Integer.toString(len).length()) {
                        len = body.length + Integer.toString(len).length();
                    }
                    records.writeBytes(Integer.toString(len).getBytes(StandardCharsets.US_ASCII));
                    records.writeBytes(body);
                }
                writeEntry(out, Entry.file("PaxHeaders.0/" + e.name(), 0644, e.mtime(), records.toByteArray())
                        .type('x', ""), Format.USTAR);
            }
            if (e.gnuLongName() != null) {
                byte[] n = (e.gnuLongName() + "\0").getBytes(StandardCharsets.UTF_8);
                writeEntry(out, Entry.file("././@LongLink", 0644, 0, n).type('L', ""), Format.GNU);
            }
            writeEntry(out, e, format);
        }
        out.writeBytes(new byte[2 * BLOCK]);
        return out.toByteArray();
    }

    private static void writeEntry(ByteArrayOutputStream out, Entry e, Format format) {
        byte[] h = new byte[BLOCK];
        byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
        System.arraycopy(name, 0, h, 0, Math.min(100, name.length));
        octal(h, 100, 8, e.mode());
        octal(h, 108, 8, e.uid());
        octal(h, 116, 8, e.gid());
        octal(h, 124, 12, e.data().length);
        octal(h, 136, 12, e.mtime());
        h[156] = e.type();
        put(h, 157, e.linkname().getBytes(StandardCharsets.UTF_8));
        if (format != Format.V7) {
            put(h, 257, (format == Format.GNU ? "ustar  \0" : "ustar\0" + "00").getBytes(StandardCharsets.US_ASCII));
            put(h, 265, e.uname().getBytes(StandardCharsets.UTF_8));
            put(h, 297, e.gname().getBytes(StandardCharsets.UTF_8));
            octal(h, 329, 8, e.devmajor());
            octal(h, 337, 8, e.devminor());
            put(h, 345, e.prefix().getBytes(StandardCharsets.UTF_8));
        }
        checksum(h);
        out.writeBytes(h);
        out.writeBytes(e.data());
        int rem = e.data().length % BLOCK;
        if (rem != 0) {
            out.writeBytes(new byte[BLOCK - rem]);
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** An empty layer as docker ≥ 1.3 pushed it: the end marker alone, 1024 NULs. */
    public static byte[] emptyLayer() {
        return new byte[2 * BLOCK];
    }

    static byte[] header(String name, long size, char type) {
        byte[] h = new byte[BLOCK];
        put(h, 0, name.getBytes(StandardCharsets.UTF_8));
        octal(h, 100, 8, type == '5' ? 0755 : 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 1420034400L);
        h[156] = (byte) type;
        put(h, 257, "ustar\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 263, "00".getBytes(StandardCharsets.US_ASCII));
        checksum(h);
        return h;
    }

    /** Recomputes the checksum of {@code header} and writes the header over the first block of {@code tar}. */
    static void checksum(byte[] header, byte[] tar) {
        checksum(header);
        System.arraycopy(header, 0, tar, 0, BLOCK);
    }

    private static void checksum(byte[] h) {
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        byte[] chk = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(chk, 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
    }

    private static void octal(byte[] h, int off, int len, long v) {
        String s = Long.toOctalString(v);
        s = "0".repeat(len - 1 - s.length()) + s;
        put(h, off, s.getBytes(StandardCharsets.US_ASCII));
    }

    private static void put(byte[] h, int off, byte[] v) {
        System.arraycopy(v, 0, h, off, v.length);
    }
}
