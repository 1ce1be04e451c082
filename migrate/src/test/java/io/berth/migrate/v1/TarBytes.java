package io.berth.migrate.v1;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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
        return h;
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
