package io.berth.core.manifest;

import io.berth.core.digest.Digest;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed manifest that keeps its exact bytes: the digest is always of {@link #bytes()},
 * never of a re-serialisation, and the bytes are what is served.
 */
public sealed interface Manifest permits ImageManifest, ImageIndex, Schema1Manifest {

    byte[] bytes();

    Digest digest();

    /** The media type it is stored and served with. */
    String mediaType();

    /** Blobs this manifest needs in its repository: config and layers (or schema1 fsLayers). */
    List<Descriptor> blobReferences();

    /** Child manifests this manifest needs (an index's manifests). */
    default List<Descriptor> manifestReferences() {
        return List.of();
    }

    default Optional<Descriptor> subject() {
        return Optional.empty();
    }

    /** The type the referrers API reports: {@code artifactType}, else the config's media type. */
    default Optional<String> artifactType() {
        return Optional.empty();
    }

    default Map<String, String> annotations() {
        return Map.of();
    }
}
