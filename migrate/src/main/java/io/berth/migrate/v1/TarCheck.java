package io.berth.migrate.v1;

import java.nio.charset.StandardCharsets;

/**
 * Checks, as the bytes stream past, that a decompressed layer is a tar: every header's checksum,
 * every entry's data present, and whether the end-of-archive marker came. Counts entries, so an
 * empty layer (ENV, CMD) is recognised by content, never by digest (spec §4). Written as a push
 * parser so the layer is read exactly once; the bytes hashed for the diff_id are the raw stream.
 */
final class TarCheck {
    static final int BLOCK = 512;

    /** The stream is not a tar (first header broken) or is a broken tar (a later header). */
    static final class TarException extends Exception {
        final boolean firstHeader;

        TarException(String message, boolean firstHeader) {
            super(message);
            this.firstHeader = firstHeader;
        }
    }

    private final byte[] header = new byte[BLOCK];
    private int headerFill;
    private long dataRemaining;
    private long offset;
    private long entries;
    private boolean ended;
    private long paxSize = -1;
    private byte[] pax;
    private int paxFill;

    void feed(byte[] b, int off, int len) throws TarException {
        int end = off + len;
        while (off < end && !ended) {
            if (dataRemaining > 0) {
                int n = (int) Math.min(dataRemaining, end - off);
                if (pax != null && paxFill < pax.length) {
                    int k = Math.min(n, pax.length - paxFill);
                    System.arraycopy(b, off, pax, paxFill, k);
                    paxFill += k;
                }
                off += n;
                offset += n;
                dataRemaining -= n;
                if (dataRemaining == 0 && pax != null) {
                    paxSize = parsePaxSize(pax, paxFill);
                    pax = null;
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
        long size = parseSize();
        if (size < 0) {
            throw new TarException("tar header at offset " + at + " has an unreadable size", entries == 0 && at == 0);
        }
        if (type == 'x') {
            pax = new byte[(int) Math.min(size, 1 << 20)];
            paxFill = 0;
        } else if (type != 'g' && type != 'L' && type != 'K') {
            entries++;
            if (paxSize >= 0) {
                size = paxSize;
            }
            paxSize = -1;
            if (type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6') {
                size = 0; // links, devices, directories, fifos carry no data whatever the field says
            }
        }
        dataRemaining = (size + BLOCK - 1) / BLOCK * BLOCK;
    }

    private long parseSize() {
        if ((header[124] & 0x80) != 0) { // base-256 (GNU/Go for sizes of 8 GiB and more)
            long v = header[124] & 0x7f;
            for (int i = 125; i < 136; i++) {
                v = (v << 8) | (header[i] & 0xff);
            }
            return v;
        }
        return parseOctal(header, 124, 12);
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

    private static long parsePaxSize(byte[] data, int len) {
        String s = new String(data, 0, len, StandardCharsets.UTF_8);
        for (String rec : s.split("\n")) {
            int sp = rec.indexOf(' ');
            if (sp > 0 && rec.startsWith("size=", sp + 1)) {
                try {
                    return Long.parseLong(rec.substring(sp + 6).trim());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
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
