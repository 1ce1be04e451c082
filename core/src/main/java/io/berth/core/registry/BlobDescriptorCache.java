package io.berth.core.registry;

import io.berth.core.digest.Digest;
import io.berth.core.reference.RepositoryName;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * distribution's {@code storage.cache.blobdescriptor: inmemory}: remembers blob sizes and which
 * repositories link which blobs and manifests (layer and revision links), so repeated HEADs,
 * manifest pulls and manifest checks do not each cost backend round trips (two HEAD requests per
 * blob on S3). Entries are dropped when this process unlinks or deletes; like distribution's
 * cache (which also answers its revision-link stats) it does not see deletes made by other
 * instances.
 */
public final class BlobDescriptorCache {
    /** A cache that remembers nothing. */
    public static final BlobDescriptorCache NONE = new BlobDescriptorCache(0);

    private final int capacity;
    private final Map<Digest, BlobInfo> blobs;
    private final Map<String, Boolean> links;

    public BlobDescriptorCache(int capacity) {
        this.capacity = capacity;
        this.blobs = lru(capacity);
        this.links = lru(capacity);
    }

    private static <K, V> Map<K, V> lru(int capacity) {
        return new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }

    boolean enabled() {
        return capacity > 0;
    }

    synchronized Optional<BlobInfo> blob(Digest d) {
        return Optional.ofNullable(blobs.get(d));
    }

    synchronized void putBlob(BlobInfo info) {
        if (enabled()) {
            blobs.put(info.digest(), info);
        }
    }

    synchronized void forgetBlob(Digest d) {
        blobs.remove(d);
    }

    synchronized boolean isLinked(RepositoryName repo, Digest d) {
        return links.containsKey(key(repo, d));
    }

    synchronized void linked(RepositoryName repo, Digest d) {
        if (enabled()) {
            links.put(key(repo, d), Boolean.TRUE);
        }
    }

    synchronized void unlinked(RepositoryName repo, Digest d) {
        links.remove(key(repo, d));
    }

    synchronized boolean isRevision(RepositoryName repo, Digest d) {
        return links.containsKey(revisionKey(repo, d));
    }

    synchronized void revisionLinked(RepositoryName repo, Digest d) {
        if (enabled()) {
            links.put(revisionKey(repo, d), Boolean.TRUE);
        }
    }

    synchronized void revisionUnlinked(RepositoryName repo, Digest d) {
        links.remove(revisionKey(repo, d));
    }

    private static String key(RepositoryName repo, Digest d) {
        return repo.value() + "@" + d;
    }

    /** '#' never occurs in a repository name, so the two kinds of link never share a key. */
    private static String revisionKey(RepositoryName repo, Digest d) {
        return repo.value() + "#" + d;
    }
}
