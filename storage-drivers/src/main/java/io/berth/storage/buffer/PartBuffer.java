package io.berth.storage.buffer;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bytes of the part (S3) or append block (Azure) a writer is gathering, in blocks of at most {@value #BLOCK} bytes rather than one
 * array of up to {@code chunksize}. One growing array would be re-copied at each doubling, and every
 * array over half of G1's region size is a humongous object: with parts of 16 MiB, a few
 * concurrent uploads made G1 grow its heap to 800 MB (bench/compare.sh push-blob on S3Mock).
 * Not thread-safe: the writer that owns it synchronises.
 * Blocks stay below that size; the first grows from small, so a tiny blob costs a tiny array.
 * Blocks are kept for the writer's next part and dropped by {@link #release()}.
 */
public final class PartBuffer {
    public static final int BLOCK = 1024 * 1024;

    private final List<byte[]> blocks = new ArrayList<>();
    private int length;

    public int length() {
        return length;
    }

    public void write(byte[] b, int off, int len) {
        while (len > 0) {
            int index = length / BLOCK;
            int at = length % BLOCK;
            if (index == blocks.size()) {
                // only the first block starts small: behind it, the part is already a block long
                blocks.add(new byte[index == 0 ? Math.min(BLOCK, Math.max(64 * 1024, len)) : BLOCK]);
            }
            byte[] block = blocks.get(index);
            if (block.length < Math.min(BLOCK, at + len)) {
                block = Arrays.copyOf(block, Math.min(BLOCK, Math.max(at + len, 2 * block.length)));
                blocks.set(index, block);
            }
            int n = Math.min(len, block.length - at);
            System.arraycopy(b, off, block, at, n);
            length += n;
            off += n;
            len -= n;
        }
    }

    /**
     * A stream over the bytes now held; each call starts from the first byte. It supports
     * mark/reset, so an SDK that retries by resetting the stream (Azure's) replays it without
     * first copying it into an array of its own.
     */
    public InputStream stream() {
        List<byte[]> held = List.copyOf(blocks);
        int total = length;
        return new InputStream() {
            private int pos;
            private int mark;

            @Override
            public int read() {
                if (pos >= total) {
                    return -1;
                }
                int b = held.get(pos / BLOCK)[pos % BLOCK] & 0xff;
                pos++;
                return b;
            }

            @Override
            public int read(byte[] dst, int off, int len) {
                if (len == 0) {
                    return 0;
                }
                if (pos >= total) {
                    return -1;
                }
                int n = Math.min(len, Math.min(total - pos, BLOCK - pos % BLOCK));
                System.arraycopy(held.get(pos / BLOCK), pos % BLOCK, dst, off, n);
                pos += n;
                return n;
            }

            @Override
            public int available() {
                return total - pos;
            }

            @Override
            public boolean markSupported() {
                return true;
            }

            @Override
            public void mark(int readlimit) {
                mark = pos;
            }

            @Override
            public void reset() {
                pos = mark;
            }
        };
    }

    /** Whether the bytes held are exactly {@code other}. */
    public boolean contentEquals(byte[] other) {
        if (other.length != length) {
            return false;
        }
        for (int at = 0; at < length; at += BLOCK) {
            int n = Math.min(BLOCK, length - at);
            if (!Arrays.equals(blocks.get(at / BLOCK), 0, n, other, at, at + n)) {
                return false;
            }
        }
        return true;
    }

    /** Empty again, keeping the blocks for the next part. */
    public void clear() {
        length = 0;
    }

    /** Empty, and the memory given back. */
    public void release() {
        blocks.clear();
        length = 0;
    }
}
