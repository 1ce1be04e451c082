package io.berth.verify;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Whether a blob exists, and its size: from the walk of blobs/, or by stat for one repository. */
interface BlobLookup {
    /** The blob's size, or -1 if the store does not have it. */
    long size(Digest d) throws IOException;

    /**
     * The walk's index, with a stat for a blob it lacks: a push that lands between the walk of
     * blobs/ and the check of its repository must not be reported missing while the registry runs.
     */
    static BlobLookup of(BlobIndex index, StorageDriver driver) {
        return d -> {
            long size = index.size(d);
            if (size >= 0) {
                return size;
            }
            try {
                return driver.stat(PathLayout.blobData(d)).size();
            } catch (PathNotFoundException e) {
                return -1;
            }
        };
    }

    /** Stats each blob once; {@link #found()} is then what a repository reaches. */
    final class ByStat implements BlobLookup {
        private final StorageDriver driver;
        private final Map<Digest, Long> sizes = new ConcurrentHashMap<>();

        ByStat(StorageDriver driver) {
            this.driver = driver;
        }

        @Override
        public long size(Digest d) throws IOException {
            Long s = sizes.get(d);
            if (s == null) {
                try {
                    s = driver.stat(PathLayout.blobData(d)).size();
                } catch (PathNotFoundException e) {
                    s = -1L;
                }
                sizes.put(d, s);
            }
            return s;
        }

        /** The blobs looked up that exist, with their sizes. */
        BlobIndex found() {
            BlobIndex index = new BlobIndex();
            sizes.entrySet().stream().filter(e -> e.getValue() >= 0).sorted(Map.Entry.comparingByKey())
                    .forEach(e -> index.add(e.getKey(), e.getValue()));
            index.seal();
            return index;
        }
    }
}
