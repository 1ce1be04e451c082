package io.berth.storage.s3;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bytes of the part being gathered, in blocks of at most {@value #BLOCK} bytes rather than one
 * array of up to {@code chunksize}. One growing array would be re-copied at each doubling, and every
 * array over half of G1's region size is a humongous object: with parts of 16 MiB, a few
 * concurrent uploads made G1 grow its heap to 800 MB (bench/compare.sh push-blob on S3Mock).
 * Blocks stay below that size; the first grows from small, so a tiny blob costs a tiny array.
 * Blocks are kept for the writer's next part and dropped by {@link #release()}.
 */
final class PartBuffer {
    static final int BLOCK = 1024 * 1024;

    private final List<byte[]> blocks = new ArrayList<>();
    private int length;

    int length() {
        return length;
    }

    void write(byte[] b, int off, int len) {
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

    /** A stream over the bytes now held; each call starts from the first byte (the SDK re-reads on retry). */
    InputStream stream() {
        List<byte[]> held = List.copyOf(blocks);
        int total = length;
        return new InputStream() {
            private int pos;

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
        };
    }

    /** Empty again, keeping the blocks for the next part. */
    void clear() {
        length = 0;
    }

    /** Empty, and the memory given back. */
    void release() {
        blocks.clear();
        length = 0;
    }
}
