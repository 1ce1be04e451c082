package io.berth.verify;

import io.berth.core.digest.Digest;
import io.berth.core.digest.DigestAlgorithm;
import java.util.EnumMap;
import java.util.Map;

/**
 * Every blob of the store with its size, packed: a sha256 digest is four longs, not a 64-character
 * string in a hash map, so ten million blobs take about 400 MB instead of several GB. The blob walk
 * delivers digests in lexical order, which is numeric order, so entries arrive sorted and lookups
 * are binary searches; an out-of-order walk is sorted once at the end.
 */
final class BlobIndex {
    /** Receives each blob in digest order. */
    interface Visitor {
        void blob(Digest digest, long size);
    }

    private final Map<DigestAlgorithm, Table> tables = new EnumMap<>(DigestAlgorithm.class);
    private long totalBytes;
    private int count;

    void add(Digest d, long size) {
        tables.computeIfAbsent(d.algorithm(), a -> new Table(a)).add(d, size);
        totalBytes += size;
        count++;
    }

    /** Call once all blobs are added, before lookups. */
    void seal() {
        tables.values().forEach(Table::sort);
    }

    /** The blob's size, or -1 when the store has no such blob. */
    long size(Digest d) {
        Table t = tables.get(d.algorithm());
        return t == null ? -1 : t.size(d);
    }

    boolean contains(Digest d) {
        return size(d) >= 0;
    }

    int count() {
        return count;
    }

    long totalBytes() {
        return totalBytes;
    }

    void forEach(Visitor v) {
        for (Table t : tables.values()) {
            t.forEach(v);
        }
    }

    private static final class Table {
        final DigestAlgorithm alg;
        final int words;
        long[] keys = new long[1024];
        long[] sizes;
        int n;
        boolean sorted = true;

        Table(DigestAlgorithm alg) {
            this.alg = alg;
            this.words = alg.hexLength() / 16;
            this.sizes = new long[keys.length / words];
        }

        void add(Digest d, long size) {
            if ((n + 1) * words > keys.length) {
                keys = java.util.Arrays.copyOf(keys, keys.length * 2);
                sizes = java.util.Arrays.copyOf(sizes, keys.length / words);
            }
            String hex = d.hex();
            for (int w = 0; w < words; w++) {
                keys[n * words + w] = Long.parseUnsignedLong(hex, w * 16, w * 16 + 16, 16);
            }
            sizes[n] = size;
            if (n > 0 && compare(n - 1, n) >= 0) {
                sorted = false;
            }
            n++;
        }

        long size(Digest d) {
            long[] key = new long[words];
            String hex = d.hex();
            for (int w = 0; w < words; w++) {
                key[w] = Long.parseUnsignedLong(hex, w * 16, w * 16 + 16, 16);
            }
            int lo = 0;
            int hi = n - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = compareTo(mid, key);
                if (c < 0) {
                    lo = mid + 1;
                } else if (c > 0) {
                    hi = mid - 1;
                } else {
                    return sizes[mid];
                }
            }
            return -1;
        }

        void forEach(Visitor v) {
            StringBuilder sb = new StringBuilder(words * 16);
            for (int i = 0; i < n; i++) {
                sb.setLength(0);
                for (int w = 0; w < words; w++) {
                    String h = Long.toHexString(keys[i * words + w]);
                    sb.append("0".repeat(16 - h.length())).append(h);
                }
                v.blob(new Digest(alg, sb.toString()), sizes[i]);
            }
        }

        private int compare(int i, int j) {
            for (int w = 0; w < words; w++) {
                int c = Long.compareUnsigned(keys[i * words + w], keys[j * words + w]);
                if (c != 0) {
                    return c;
                }
            }
            return 0;
        }

        private int compareTo(int i, long[] key) {
            for (int w = 0; w < words; w++) {
                int c = Long.compareUnsigned(keys[i * words + w], key[w]);
                if (c != 0) {
                    return c;
                }
            }
            return 0;
        }

        /** Only after an out-of-order walk: sorts an index permutation, then rebuilds the arrays. */
        void sort() {
            if (sorted) {
                return;
            }
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, this::compare);
            long[] k = new long[keys.length];
            long[] s = new long[sizes.length];
            for (int i = 0; i < n; i++) {
                System.arraycopy(keys, order[i] * words, k, i * words, words);
                s[i] = sizes[order[i]];
            }
            keys = k;
            sizes = s;
            sorted = true;
        }
    }
}
