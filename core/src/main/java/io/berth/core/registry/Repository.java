package io.berth.core.registry;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.reference.RepositoryName;
import io.berth.core.storage.StorageDriver;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** One repository: its layer links, manifests, tags and uploads, all under {@code repositories/<name>/}. */
public final class Repository {
    private final Registry registry;
    private final RepositoryName name;
    private final ManifestStore manifests;
    private final TagStore tags;
    private final UploadStore uploads;

    Repository(Registry registry, RepositoryName name) {
        this.registry = registry;
        this.name = name;
        this.tags = new TagStore(this);
        this.manifests = new ManifestStore(this);
        this.uploads = new UploadStore(this);
    }

    public RepositoryName name() {
        return name;
    }

    public Registry registry() {
        return registry;
    }

    StorageDriver driver() {
        return registry.driver();
    }

    public ManifestStore manifests() {
        return manifests;
    }

    public TagStore tags() {
        return tags;
    }

    public UploadStore uploads() {
        return uploads;
    }

    /** True when the repository has manifests (which is what makes it a repository for distribution). */
    public boolean exists() throws IOException {
        try {
            return driver().stat(PathLayout.manifestsDir(name)).isDirectory();
        } catch (io.berth.core.storage.PathNotFoundException e) {
            return false;
        }
    }

    // layer links: which blobs this repository may serve

    /** The blob, if it is linked into this repository and its content exists. */
    public Optional<BlobInfo> statBlob(Digest digest) throws IOException {
        BlobDescriptorCache cache = registry.descriptorCache();
        if (!cache.isLinked(name, digest)) {
            if (!Links.exists(driver(), PathLayout.layerLink(name, digest))) {
                return Optional.empty();
            }
            cache.linked(name, digest);
        }
        return registry.blobs().stat(digest);
    }

    public void linkBlob(Digest digest) throws IOException {
        Links.write(driver(), PathLayout.layerLink(name, digest), digest);
        registry.descriptorCache().linked(name, digest);
    }

    /** Removes the blob from this repository (the content stays until gc); false if it was not linked. */
    public boolean unlinkBlob(Digest digest) throws IOException {
        registry.descriptorCache().unlinked(name, digest);
        return Links.deleteIfPresent(driver(), PathLayout.layerDir(name, digest));
    }

    public List<Digest> linkedBlobs() throws IOException {
        return Links.listDigestDirs(driver(), PathLayout.layersDir(name));
    }
}
