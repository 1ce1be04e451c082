package io.berth.core.manifest;

import io.berth.core.digest.Digest;
import java.util.List;
import java.util.Map;

/** An OCI content descriptor: what a manifest says about a blob or child manifest it references. */
public record Descriptor(String mediaType, Digest digest, long size, List<String> urls,
                         Map<String, String> annotations, String artifactType, Platform platform) {

    public Descriptor {
        urls = urls == null ? List.of() : List.copyOf(urls);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, List.of(), Map.of(), null, null);
    }

    /** Layers with URLs (Windows foreign layers) live outside the registry, so they need not exist in it. */
    public boolean isForeign() {
        return !urls.isEmpty();
    }

    public record Platform(String architecture, String os, String variant) {
    }
}
