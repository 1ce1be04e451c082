package io.berth.core.manifest;

import io.berth.core.digest.Digest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An OCI image manifest or a Docker schema2 manifest: a config and a list of layers. */
public record ImageManifest(byte[] bytes, Digest digest, String mediaType, Descriptor config,
                            List<Descriptor> layers, Descriptor subjectDescriptor, String declaredArtifactType,
                            Map<String, String> annotations) implements Manifest {

    public ImageManifest {
        layers = List.copyOf(layers);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    @Override
    public List<Descriptor> blobReferences() {
        List<Descriptor> refs = new ArrayList<>(layers.size() + 1);
        refs.add(config);
        refs.addAll(layers);
        return refs;
    }

    @Override
    public Optional<Descriptor> subject() {
        return Optional.ofNullable(subjectDescriptor);
    }

    @Override
    public Optional<String> artifactType() {
        if (declaredArtifactType != null) {
            return Optional.of(declaredArtifactType);
        }
        return Optional.ofNullable(config.mediaType());
    }
}
