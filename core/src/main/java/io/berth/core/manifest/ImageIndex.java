package io.berth.core.manifest;

import io.berth.core.digest.Digest;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An OCI image index or a Docker manifest list: references to child manifests. */
public record ImageIndex(byte[] bytes, Digest digest, String mediaType, List<Descriptor> manifests,
                         Descriptor subjectDescriptor, String declaredArtifactType,
                         Map<String, String> annotations) implements Manifest {

    public ImageIndex {
        manifests = List.copyOf(manifests);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    @Override
    public List<Descriptor> blobReferences() {
        return List.of();
    }

    @Override
    public List<Descriptor> manifestReferences() {
        return manifests;
    }

    @Override
    public Optional<Descriptor> subject() {
        return Optional.ofNullable(subjectDescriptor);
    }

    @Override
    public Optional<String> artifactType() {
        return Optional.ofNullable(declaredArtifactType);
    }
}
