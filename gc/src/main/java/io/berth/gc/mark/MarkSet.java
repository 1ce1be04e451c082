package io.berth.gc.mark;

import io.berth.core.digest.Digest;

/**
 * The global set of blobs gc keeps, sized for stores of tens of millions of blobs.
 *
 * <p>Each digest is reduced to a 128-bit key (the first 16 bytes of the hash, with the algorithm
 * folded in) held in open-addressed {@code long[]} tables kept between 3/8 and 3/4 full: 21 to 43
 * bytes per marked blob and no per-entry objects, so 10 million marked blobs take 210 to 430 MB. Two different digests sharing a key (odds about 2^-100 at that size) would
 * only make gc keep a blob it could have deleted; it never makes it delete one in use, so the
 * truncation is safe. An in-memory table was chosen over spilling to SQLite because every
 * candidate blob is looked up once: a hash probe costs nanoseconds, a SQLite lookup microseconds,
 * and the memory above fits the machines that run nightly gc on such stores.
 *
 * <p>Thread-safe: the key space is split into independently locked segments, so mark workers
 * rarely contend.
 */
public final class MarkSet {
    private static final int SEGMENT_BITS = 6;
    private static final int INITIAL_SLOTS = 1 << 10;

    private final Segment[] segments = new Segment[1 << SEGMENT_BITS];

    public MarkSet() {
        for (int i = 0; i < segments.length; i++) {
            segments[i] = new Segment();
        }
    }

    /** Marks the digest; true if it was not marked before. */
    public boolean add(Digest d) {
        long hi = hi(d);
        long lo = lo(d);
        return segment(hi).add(hi, lo);
    }

    public boolean contains(Digest d) {
        long hi = hi(d);
        long lo = lo(d);
        return segment(hi).contains(hi, lo);
    }

    public long size() {
        long n = 0;
        for (Segment s : segments) {
            synchronized (s) {
                n += s.size + (s.hasZero ? 1 : 0);
            }
        }
        return n;
    }

    /** Bytes held by the tables (for the report and the memory claim above). */
    public long memoryBytes() {
        long n = 0;
        for (Segment s : segments) {
            synchronized (s) {
                n += (long) s.keys.length * Long.BYTES;
            }
        }
        return n;
    }

    private Segment segment(long hi) {
        return segments[(int) (hi >>> (64 - SEGMENT_BITS))];
    }

    // The hex is a uniformly distributed hash, so its leading 32 hex digits are used as they are.
    private static long hi(Digest d) {
        return Long.parseUnsignedLong(d.hex().substring(0, 16), 16) ^ d.algorithm().ordinal();
    }

    private static long lo(Digest d) {
        return Long.parseUnsignedLong(d.hex().substring(16, 32), 16);
    }

    /** Linear probing over (hi, lo) pairs; the all-zero key marks an empty slot and is stored aside. */
    private static final class Segment {
        long[] keys = new long[INITIAL_SLOTS * 2];
        int size;
        boolean hasZero;

        synchronized boolean add(long hi, long lo) {
            if (hi == 0 && lo == 0) {
                boolean added = !hasZero;
                hasZero = true;
                return added;
            }
            if ((size + 1) * 4L > (keys.length / 2) * 3L) {
                grow();
            }
            if (insert(keys, hi, lo)) {
                size++;
                return true;
            }
            return false;
        }

        synchronized boolean contains(long hi, long lo) {
            if (hi == 0 && lo == 0) {
                return hasZero;
            }
            int mask = keys.length / 2 - 1;
            int i = slot(hi, lo, mask);
            while (true) {
                long h = keys[2 * i];
                long l = keys[2 * i + 1];
                if (h == 0 && l == 0) {
                    return false;
                }
                if (h == hi && l == lo) {
                    return true;
                }
                i = (i + 1) & mask;
            }
        }

        private void grow() {
            long[] bigger = new long[keys.length * 2];
            for (int i = 0; i < keys.length; i += 2) {
                if (keys[i] != 0 || keys[i + 1] != 0) {
                    insert(bigger, keys[i], keys[i + 1]);
                }
            }
            keys = bigger;
        }

        private static boolean insert(long[] table, long hi, long lo) {
            int mask = table.length / 2 - 1;
            int i = slot(hi, lo, mask);
            while (true) {
                long h = table[2 * i];
                long l = table[2 * i + 1];
                if (h == 0 && l == 0) {
                    table[2 * i] = hi;
                    table[2 * i + 1] = lo;
                    return true;
                }
                if (h == hi && l == lo) {
                    return false;
                }
                i = (i + 1) & mask;
            }
        }

        private static int slot(long hi, long lo, int mask) {
            // hi's top bits chose the segment; mix the rest so the slots spread evenly
            long x = (hi ^ Long.rotateLeft(lo, 32)) * 0x9E3779B97F4A7C15L;
            return (int) (x >>> 32) & mask;
        }
    }
}
