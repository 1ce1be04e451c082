package io.berth.migrate.copy;

import io.berth.core.digest.Digest;
import io.berth.core.storage.FileInfo;
import io.berth.core.walk.StoreWalker;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The blobs a store holds and their sizes, from one flat walk of {@code blobs/}: deciding
 * "already there" for every blob then costs no request per blob (a HEAD each on S3 would
 * dominate a final pass). About 200 bytes of heap per blob.
 */
final class BlobIndex {
    private final Map<Digest, Long> sizes = new ConcurrentHashMap<>();

    static BlobIndex of(StoreWalker walker) throws IOException {
        BlobIndex index = new BlobIndex();
        walker.walkBlobs(new StoreWalker.Visitor() {
            @Override
            public void blob(Digest digest, FileInfo info) {
                index.sizes.put(digest, info.size());
            }
        });
        return index;
    }

    /** The blob's size, or -1 if the walk did not see it. */
    long size(Digest d) {
        Long s = sizes.get(d);
        return s == null ? -1 : s;
    }

    void put(Digest d, long size) {
        sizes.put(d, size);
    }

    void remove(Digest d) {
        sizes.remove(d);
    }

    /** Bytes of the blobs here that {@code other} lacks or holds with another size. */
    long bytesMissingFrom(BlobIndex other) {
        long total = 0;
        for (Map.Entry<Digest, Long> e : sizes.entrySet()) {
            if (other.size(e.getKey()) != e.getValue()) {
                total += e.getValue();
            }
        }
        return total;
    }
}
