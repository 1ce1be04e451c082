package io.berth.storage.inmemory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A file's bytes as a list of fixed-size chunks, so appending is amortised O(1) and reading at an
 * offset finds its chunk by division, even for uploads of hundreds of MiB. Only the last chunk
 * may be shorter than {@link #CHUNK}; it grows by doubling, which keeps small files small.
 */
final class MemFile implements InMemoryDriver.Node {
    static final int CHUNK = 1 << 20;

    private final List<byte[]> chunks = new ArrayList<>();
    private long size;
    private Instant modTime = Instant.now();

    MemFile() {
    }

    MemFile(byte[] content) {
        append(content, 0, content.length);
    }

    synchronized long size() {
        return size;
    }

    synchronized Instant modTime() {
        return modTime;
    }

    synchronized void truncate() {
        chunks.clear();
        size = 0;
        modTime = Instant.now();
    }

    synchronized void append(byte[] b, int off, int len) {
        while (len > 0) {
            int index = (int) (size / CHUNK);
            int at = (int) (size % CHUNK);
            int n = Math.min(len, CHUNK - at);
            if (index == chunks.size()) {
                chunks.add(new byte[Math.max(n, 64)]);
            }
            byte[] chunk = chunks.get(index);
            if (chunk.length < at + n) {
                chunk = Arrays.copyOf(chunk, Math.min(CHUNK, Math.max(at + n, chunk.length * 2)));
                chunks.set(index, chunk);
            }
            System.arraycopy(b, off, chunk, at, n);
            off += n;
            len -= n;
            size += n;
        }
        modTime = Instant.now();
    }

    /** Copies up to {@code len} bytes from {@code pos}; -1 at the end. */
    synchronized int read(long pos, byte[] b, int off, int len) {
        if (pos >= size) {
            return len == 0 ? 0 : -1;
        }
        int total = (int) Math.min(len, size - pos);
        for (int done = 0; done < total; ) {
            int at = (int) (pos % CHUNK);
            int n = Math.min(total - done, CHUNK - at);
            System.arraycopy(chunks.get((int) (pos / CHUNK)), at, b, off + done, n);
            done += n;
            pos += n;
        }
        return total;
    }

    synchronized byte[] toArray() {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("file too large for one array: " + size);
        }
        byte[] out = new byte[(int) size];
        read(0, out, 0, out.length);
        return out;
    }
}
