package io.berth.core.registry;

import io.berth.core.digest.Digest;
import io.berth.core.manifest.Manifest;
import java.util.Map;

/**
 * What the server needs to answer HEAD and referrers queries without reading the manifest
 * again. Content-addressed, hence immutable and cacheable forever.
 */
public record ManifestInfo(Digest digest, String mediaType, long size, Digest subject, String artifactType,
                           Map<String, String> annotations) {

    public static ManifestInfo of(Manifest m) {
        return new ManifestInfo(m.digest(), m.mediaType(), m.bytes().length,
                m.subject().map(s -> s.digest()).orElse(null), m.artifactType().orElse(null), m.annotations());
    }
}
