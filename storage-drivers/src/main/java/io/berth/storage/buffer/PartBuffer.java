package io.berth.storage.buffer;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * The bytes of the part (S3) or append block (Azure) a writer is gathering, in blocks of at most {@value #BLOCK} bytes rather than one
 * array of up to {@code chunksize}. One growing array would be re-copied at each doubling, and every
 * array over half of G1's region size is a humongous object: with parts of 16 MiB, a few
 * concurrent uploads made G1 grow its heap to 800 MB (bench/compare.sh push-blob on S3Mock).
 * Not thread-safe: the writer that owns it synchronises.
 * Blocks stay below that size; the first grows from small, so a tiny blob costs a tiny array.
 * Blocks are kept for the writer's next part; {@link #release()} gives them to the next writer.
 */
public final class PartBuffer {
    public static final int BLOCK = 1024 * 1024;
    /**
     * Blocks released by one writer and taken by the next. A chunked upload opens a writer per
     * PATCH, and each allocated its part's worth of blocks anew: 0.94 GB of 1 MiB arrays in
     * bench/compare.sh push-blob on S3Mock, which G1 answered by growing its heap. At most
     * {@value #POOLED} blocks (64 MiB) wait here; more concurrent writers allocate as before.
     */
    static final int POOLED = 64;
    private static final ArrayBlockingQueue<byte[]> POOL = new ArrayBlockingQueue<>(POOLED);

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
                // only the first block starts small (unless a released one waits): behind it, the
                // part is already a block long
                byte[] released = POOL.poll();
                blocks.add(released != null ? released
                        : index == 0 && len < BLOCK ? new byte[Math.max(64 * 1024, len)] : new byte[BLOCK]);
            }
            byte[] block = blocks.get(index);
            if (block.length < Math.min(BLOCK, at + len)) {
                int size = Math.min(BLOCK, Math.max(at + len, 2 * block.length));
                byte[] bigger = size == BLOCK ? takeBlock() : new byte[size];
                System.arraycopy(block, 0, bigger, 0, at);
                block = bigger;
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

    /**
     * Empty, and the blocks given to the next writer. Only once nothing reads {@link #stream()}s
     * of this buffer any more: a call that may still be sending them in the background (one that
     * failed on a timeout) must {@link #drop()} instead.
     */
    public void release() {
        for (byte[] b : blocks) {
            if (b.length == BLOCK && !POOL.offer(b)) {
                break; // the pool is full
            }
        }
        drop();
    }

    /** Empty, and the memory left to the garbage collector. */
    public void drop() {
        blocks.clear();
        length = 0;
    }

    private static byte[] takeBlock() {
        byte[] b = POOL.poll();
        return b != null ? b : new byte[BLOCK];
    }

    /** Blocks waiting for the next writer (tests). */
    static int pooled() {
        return POOL.size();
    }
}
