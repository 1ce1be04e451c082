package io.berth.core.manifest;

import io.berth.core.digest.Digest;
import java.util.List;

/**
 * A Docker schema1 manifest, signed or not. Served as stored from stores that already hold
 * them; its layers are the {@code fsLayers} blob sums (sizes unknown, hence -1).
 */
public record Schema1Manifest(byte[] bytes, Digest digest, String mediaType, String name, String tag,
                              List<Digest> fsLayers) implements Manifest {

    public Schema1Manifest {
        fsLayers = List.copyOf(fsLayers);
    }

    @Override
    public List<Descriptor> blobReferences() {
        return fsLayers.stream().distinct().map(d -> new Descriptor(MediaTypes.DOCKER_LAYER_GZIP, d, -1)).toList();
    }
}
