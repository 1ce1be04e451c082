package io.berth.migrate.v1;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip for layers that were stored as xz, bzip2 or plain tar (spec §10.2): a fixed level (6)
 * and a fixed 10-byte header (MTIME 0, XFL 0, OS 255), so the same tar always gives the same
 * bytes on one zlib. A stream of exactly 1024 NULs (an empty layer) becomes distribution's
 * canonical 32-byte {@code gzippedEmptyTar}, {@code sha256:a3ed95ca…}, whatever the zlib.
 * Does not close the stream it writes to.
 */
final class DeterministicGzip extends OutputStream {
    static final int LEVEL = 6;
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    /** DIST@v2.8.3 manifest/schema1/config_builder.go gzippedEmptyTar. */
    static final byte[] EMPTY_TAR_GZIP = {31, (byte) 139, 8, 0, 0, 9, 110, (byte) 136, 0, (byte) 255, 98, 24, 5,
        (byte) 163, 96, 20, (byte) 140, 88, 0, 8, 0, 0, (byte) 255, (byte) 255, 46, (byte) 175, (byte) 181,
        (byte) 239, 0, 4, 0, 0};
    private static final int EMPTY_TAR = 1024;

    private final OutputStream out;
    private final Deflater deflater = new Deflater(LEVEL, true);
    private final CRC32 crc = new CRC32();
    private final byte[] buf = new byte[128 * 1024];
    /** The first bytes, held back until they cannot be the 1024-NUL empty tar any more. */
    private byte[] pending = new byte[EMPTY_TAR + 1];
    private int pendingFill;
    private long size;
    private boolean started;
    private boolean finished;

    DeterministicGzip(OutputStream out) {
        this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (pending != null) {
            int n = Math.min(len, pending.length - pendingFill);
            System.arraycopy(b, off, pending, pendingFill, n);
            pendingFill += n;
            off += n;
            len -= n;
            if (pendingFill < pending.length && allZero(pending, pendingFill)) {
                return; // could still be the empty tar
            }
            byte[] p = pending;
            pending = null;
            deflate(p, 0, pendingFill);
        }
        if (len > 0) {
            deflate(b, off, len);
        }
    }

    private void deflate(byte[] b, int off, int len) throws IOException {
        if (!started) {
            out.write(HEADER);
            started = true;
        }
        crc.update(b, off, len);
        size += len;
        deflater.setInput(b, off, len);
        while (!deflater.needsInput()) {
            drain(Deflater.NO_FLUSH);
        }
    }

    private void drain(int flush) throws IOException {
        int n = deflater.deflate(buf, 0, buf.length, flush);
        if (n > 0) {
            out.write(buf, 0, n);
        }
    }

    /** Writes the end of the gzip stream (or the canonical empty tar); the target stays open. */
    void finish() throws IOException {
        if (finished) {
            return;
        }
        finished = true;
        if (pending != null) {
            if (pendingFill == EMPTY_TAR && allZero(pending, pendingFill)) {
                out.write(EMPTY_TAR_GZIP);
                deflater.end();
                return;
            }
            byte[] p = pending;
            pending = null;
            deflate(p, 0, pendingFill);
        }
        if (!started) {
            deflate(new byte[0], 0, 0);
        }
        deflater.finish();
        while (!deflater.finished()) {
            drain(Deflater.NO_FLUSH);
        }
        deflater.end();
        byte[] trailer = new byte[8];
        int c = (int) crc.getValue();
        int s = (int) size;
        for (int i = 0; i < 4; i++) {
            trailer[i] = (byte) (c >>> (8 * i));
            trailer[4 + i] = (byte) (s >>> (8 * i));
        }
        out.write(trailer);
    }

    @Override
    public void close() throws IOException {
        finish();
    }

    private static boolean allZero(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    static boolean isEmptyTarGzip(byte[] b) {
        return Arrays.equals(b, EMPTY_TAR_GZIP);
    }
}
