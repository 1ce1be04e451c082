package io.berth.core.registry;

import io.berth.core.digest.Digest;
import java.util.LinkedHashMap;
import java.util.Map;

/** A bounded LRU of {@link ManifestInfo} by digest, shared by every repository of a registry. */
final class ManifestCache {
    private final Map<Digest, ManifestInfo> map;

    ManifestCache(int capacity) {
        this.map = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Digest, ManifestInfo> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized ManifestInfo get(Digest d) {
        return map.get(d);
    }

    synchronized void put(ManifestInfo info) {
        map.put(info.digest(), info);
    }
}
