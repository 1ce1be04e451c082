package io.berth.core.registry;

import io.berth.core.digest.Digest;
import io.berth.core.manifest.Manifest;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a registry remembers of manifests by digest, shared by every repository: a bounded LRU of
 * {@link ManifestInfo} (HEADs and referrers), and a smaller LRU of whole parsed manifests bounded
 * by their bytes (GETs). Content under a digest never changes, so neither can go stale; whether a
 * repository still links the manifest is checked by the caller, never answered from here.
 */
final class ManifestCache {
    /** Parsed manifests weigh about three times their JSON; this bounds the bytes counted. */
    static final long DEFAULT_CONTENT_BYTES = 16L << 20;
    /** Larger manifests are not worth evicting dozens of small ones for. */
    private static final int MAX_CACHED_MANIFEST = 256 << 10;

    private final Map<Digest, ManifestInfo> infos;
    private final LinkedHashMap<Digest, Manifest> contents = new LinkedHashMap<>(256, 0.75f, true);
    private final long contentCapacity;
    private long contentBytes;

    ManifestCache(int capacity) {
        this(capacity, DEFAULT_CONTENT_BYTES);
    }

    ManifestCache(int capacity, long contentCapacity) {
        this.contentCapacity = contentCapacity;
        this.infos = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Digest, ManifestInfo> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized ManifestInfo get(Digest d) {
        return infos.get(d);
    }

    synchronized void put(ManifestInfo info) {
        infos.put(info.digest(), info);
    }

    synchronized Manifest manifest(Digest d) {
        return contents.get(d);
    }

    synchronized void put(Manifest m) {
        infos.put(m.digest(), ManifestInfo.of(m));
        int size = m.bytes().length;
        if (size > MAX_CACHED_MANIFEST || size > contentCapacity || contents.containsKey(m.digest())) {
            return;
        }
        contents.put(m.digest(), m);
        contentBytes += size;
        Iterator<Manifest> eldest = contents.values().iterator();
        while (contentBytes > contentCapacity && eldest.hasNext()) {
            contentBytes -= eldest.next().bytes().length;
            eldest.remove();
        }
    }
}
