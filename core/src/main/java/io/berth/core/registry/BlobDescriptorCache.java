package io.berth.core.registry;

import io.berth.core.coordination.GcPresence;
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
 * instances. What gc deletes it does not miss: once {@link #watch() watched} (by the server's
 * GcWatch, see {@link io.berth.core.coordination.GcPresence}) it answers only within
 * {@code TRUST} of a look that found no gc running, and is emptied when one is.
 */
public final class BlobDescriptorCache {
    /** A cache that remembers nothing. */
    public static final BlobDescriptorCache NONE = new BlobDescriptorCache(0);

    private final int capacity;
    private final Map<Digest, BlobInfo> blobs;
    private final Map<String, Boolean> links;
    /** Whether trust depends on {@link #confirm}; unwatched caches are always trusted. */
    private boolean watched;
    /** {@link System#nanoTime()} until which entries may be used, when watched. */
    private long trustedUntil;

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

    public boolean enabled() {
        return capacity > 0;
    }

    /** From now on entries are used only after a {@link #confirm}, for {@code TRUST}. */
    public synchronized void watch() {
        watched = true;
        distrust();
    }

    /**
     * A look that began at {@code lookStartedNanos} found no gc running: entries may be used until
     * {@code TRUST} after it. If trust had lapsed before that look began, a gc may have come and
     * gone unseen, so what was cached before is dropped first.
     */
    public synchronized void confirm(long lookStartedNanos) {
        if (trustedUntil - lookStartedNanos < 0) {
            clear();
        }
        trustedUntil = lookStartedNanos + GcPresence.TRUST.toNanos();
    }

    /** A gc is running, or a look failed: answer nothing from memory and keep nothing. */
    public synchronized void distrust() {
        trustedUntil = System.nanoTime() - 1;
        clear();
    }

    private void clear() {
        blobs.clear();
        links.clear();
    }

    private boolean usable() {
        return enabled() && (!watched || System.nanoTime() - trustedUntil < 0);
    }

    synchronized Optional<BlobInfo> blob(Digest d) {
        return usable() ? Optional.ofNullable(blobs.get(d)) : Optional.empty();
    }

    synchronized void putBlob(BlobInfo info) {
        if (usable()) {
            blobs.put(info.digest(), info);
        }
    }

    synchronized void forgetBlob(Digest d) {
        blobs.remove(d);
    }

    synchronized boolean isLinked(RepositoryName repo, Digest d) {
        return usable() && links.containsKey(key(repo, d));
    }

    synchronized void linked(RepositoryName repo, Digest d) {
        if (usable()) {
            links.put(key(repo, d), Boolean.TRUE);
        }
    }

    synchronized void unlinked(RepositoryName repo, Digest d) {
        links.remove(key(repo, d));
    }

    synchronized boolean isRevision(RepositoryName repo, Digest d) {
        return usable() && links.containsKey(revisionKey(repo, d));
    }

    synchronized void revisionLinked(RepositoryName repo, Digest d) {
        if (usable()) {
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
