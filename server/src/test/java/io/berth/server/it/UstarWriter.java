package io.berth.server.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Minimal POSIX ustar writer: regular files and directories, 512-byte headers with checksum,
 * data padded to 512 bytes, two zero blocks at the end. Enough for image layers; written here so
 * the tests need no commons-compress. All metadata (mtime, owner) is fixed so output is
 * byte-for-byte deterministic.
 */
public final class UstarWriter implements AutoCloseable {
    private static final int BLOCK = 512;
    /** Fixed mtime (2024-01-01T00:00:00Z) so layer digests do not depend on when tests ran. */
    public static final long MTIME = 1704067200L;

    private final OutputStream out;
    private boolean finished;

    /** Does not close {@code out} on {@link #close()}; the caller owns it (e.g. a gzip stream). */
    public UstarWriter(OutputStream out) {
        this.out = out;
    }

    public void directory(String name) throws IOException {
        writeHeader(name.endsWith("/") ? name : name + "/", 0, '5', 0755);
    }

    public void file(String name, byte[] content) throws IOException {
        writeHeader(name, content.length, '0', 0644);
        out.write(content);
        pad(content.length);
    }

    /** Copies exactly {@code size} bytes from {@code content}. */
    public void file(String name, long size, InputStream content) throws IOException {
        writeHeader(name, size, '0', 0644);
        byte[] buf = new byte[64 * 1024];
        long remaining = size;
        while (remaining > 0) {
            int n = content.read(buf, 0, (int) Math.min(buf.length, remaining));
            if (n < 0) {
                throw new IOException("content for " + name + " ended " + remaining + " bytes early");
            }
            out.write(buf, 0, n);
            remaining -= n;
        }
        pad(size);
    }

    /** Writes the end-of-archive marker (two zero blocks). */
    public void finish() throws IOException {
        if (!finished) {
            out.write(new byte[2 * BLOCK]);
            out.flush();
            finished = true;
        }
    }

    @Override
    public void close() throws IOException {
        finish();
    }

    private void pad(long size) throws IOException {
        int rem = (int) (size % BLOCK);
        if (rem != 0) {
            out.write(new byte[BLOCK - rem]);
        }
    }

    private void writeHeader(String path, long size, char type, int mode) throws IOException {
        byte[] h = new byte[BLOCK];
        String name = path;
        String prefix = "";
        if (utf8(path).length > 100) {
            // ustar splits long paths at a '/' into prefix (<= 155 bytes) + name (<= 100 bytes);
            // take the leftmost '/' that leaves a short enough name.
            int cut = path.indexOf('/');
            while (cut >= 0 && utf8(path.substring(cut + 1)).length > 100) {
                cut = path.indexOf('/', cut + 1);
            }
            if (cut <= 0 || utf8(path.substring(0, cut)).length > 155) {
                throw new IOException("path too long for ustar: " + path);
            }
            prefix = path.substring(0, cut);
            name = path.substring(cut + 1);
        }
        put(h, 0, 100, utf8(name));
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0); // uid
        octal(h, 116, 8, 0); // gid
        octal(h, 124, 12, size);
        octal(h, 136, 12, MTIME);
        h[156] = (byte) type;
        put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
        put(h, 265, 32, utf8("root"));
        put(h, 297, 32, utf8("root"));
        octal(h, 329, 8, 0); // devmajor
        octal(h, 337, 8, 0); // devminor
        put(h, 345, 155, utf8(prefix));
        // Checksum is computed with the checksum field itself filled with spaces.
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        // Conventional format: six octal digits, NUL, space.
        byte[] chk = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(chk, 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
        out.write(h);
    }

    /** Zero-padded octal, NUL-terminated, filling the field. */
    private static void octal(byte[] h, int off, int len, long value) throws IOException {
        String s = Long.toOctalString(value);
        if (s.length() > len - 1) {
            throw new IOException("value " + value + " does not fit a " + len + "-byte ustar field");
        }
        s = "0".repeat(len - 1 - s.length()) + s;
        put(h, off, len - 1, s.getBytes(StandardCharsets.US_ASCII));
        h[off + len - 1] = 0;
    }

    private static void put(byte[] h, int off, int len, byte[] value) throws IOException {
        if (value.length > len) {
            throw new IOException("field too long: " + new String(value, StandardCharsets.UTF_8));
        }
        System.arraycopy(value, 0, h, off, value.length);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
