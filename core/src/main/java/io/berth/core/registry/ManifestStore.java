package io.berth.core.registry;

import io.berth.core.digest.Digest;
import io.berth.core.digest.DigestAlgorithm;
import io.berth.core.layout.PathLayout;
import io.berth.core.manifest.Descriptor;
import io.berth.core.manifest.LayerUrls;
import io.berth.core.manifest.Manifest;
import io.berth.core.manifest.ManifestInvalidException;
import io.berth.core.manifest.ManifestParser;
import io.berth.core.manifest.Schema1Manifest;
import io.berth.core.reference.Reference;
import io.berth.core.reference.Tag;
import io.berth.core.storage.PathNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Manifests of one repository: content in the blob store, a revision link per digest under
 * {@code _manifests/revisions/}. A manifest is visible in a repository only through its link.
 */
public final class ManifestStore {
    private final Repository repo;

    ManifestStore(Repository repo) {
        this.repo = repo;
    }

    /** The digest a tag or digest reference names in this repository, if the manifest is there. */
    public Optional<Digest> resolve(Reference ref) throws IOException {
        Optional<Digest> d = ref instanceof Reference.ByTag t
                ? repo.tags().resolve(t.tag())
                : Optional.of(((Reference.ByDigest) ref).digest());
        return d.isPresent() && exists(d.get()) ? d : Optional.empty();
    }

    /** Whether this repository links the manifest (its revision link; remembered with the descriptor cache on). */
    public boolean exists(Digest d) throws IOException {
        BlobDescriptorCache cache = repo.registry().descriptorCache();
        if (cache.isRevision(repo.name(), d)) {
            return true;
        }
        if (!Links.exists(repo.driver(), PathLayout.revisionLink(repo.name(), d))) {
            return false;
        }
        cache.revisionLinked(repo.name(), d);
        return true;
    }

    /** The manifest's media type and size, from the cache or by reading it once. */
    public Optional<ManifestInfo> info(Digest d) throws IOException {
        return exists(d) ? infoOfLinked(d) : Optional.empty();
    }

    /** {@link #info} for a digest that {@link #resolve} has just found linked here. */
    public Optional<ManifestInfo> infoOfLinked(Digest d) throws IOException {
        ManifestInfo cached = repo.registry().manifestCache().get(d);
        if (cached != null) {
            return Optional.of(cached);
        }
        return getLinked(d).map(ManifestInfo::of);
    }

    /** The stored manifest, bytes exactly as pushed; empty if not in this repository or its content is gone. */
    public Optional<Manifest> get(Digest d) throws IOException {
        return exists(d) ? getLinked(d) : Optional.empty();
    }

    /** {@link #get} for a digest that {@link #resolve} has just found linked here. */
    public Optional<Manifest> getLinked(Digest d) throws IOException {
        Manifest known = repo.registry().manifestCache().manifest(d);
        if (known != null) {
            return Optional.of(known);
        }
        byte[] bytes;
        try {
            bytes = repo.registry().blobs().get(d);
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
        try {
            Manifest m = ManifestParser.parse(bytes, null, d);
            repo.registry().manifestCache().put(m);
            return Optional.of(m);
        } catch (ManifestInvalidException e) {
            throw new IOException("stored manifest " + d + " in " + repo.name() + " is unreadable: " + e.getMessage(), e);
        }
    }

    /**
     * Validates and stores a pushed manifest, then points the tags at it.
     *
     * @param ref the URL's reference: a tag to set, or a digest the body must hash to
     * @param extraTags further tags to set ({@code ?tag=} on a push by digest)
     */
    public Manifest put(byte[] body, String contentType, Reference ref, Collection<Tag> extraTags) throws IOException {
        DigestAlgorithm alg = ref instanceof Reference.ByDigest bd ? bd.digest().algorithm() : DigestAlgorithm.SHA256;
        Manifest m;
        try {
            m = ManifestParser.parse(body, contentType, alg);
        } catch (ManifestInvalidException e) {
            throw new RegistryException(ErrorCode.MANIFEST_INVALID, e.getMessage());
        }
        if (ref instanceof Reference.ByDigest bd && !bd.digest().equals(m.digest())) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID,
                    "manifest digest " + m.digest() + " does not match " + bd.digest());
        }
        if (m instanceof Schema1Manifest) {
            throw new RegistryException(ErrorCode.MANIFEST_INVALID,
                    "Docker schema1 manifests are deprecated and not accepted; push schema2 or OCI");
        }
        checkReferences(m);
        repo.registry().blobs().putVerified(m.digest(), body);
        Links.write(repo.driver(), PathLayout.revisionLink(repo.name(), m.digest()), m.digest());
        repo.registry().descriptorCache().revisionLinked(repo.name(), m.digest());
        repo.registry().manifestCache().put(m);
        List<Tag> tags = new ArrayList<>(extraTags);
        if (ref instanceof Reference.ByTag t) {
            tags.add(0, t.tag());
        }
        for (Tag t : tags) {
            repo.tags().tag(t, m.digest());
        }
        return m;
    }

    private void checkReferences(Manifest m) throws IOException {
        LayerUrls urls = repo.registry().layerUrls();
        List<String> refused = new ArrayList<>();
        for (Descriptor d : m.blobReferences()) {
            if (LayerUrls.isLayer(d.mediaType())) {
                for (String u : d.urls()) {
                    String why = urls.refusal(u);
                    if (why != null) {
                        refused.add("layer " + d.digest() + ": " + why);
                    }
                }
            }
        }
        if (!refused.isEmpty()) {
            throw new RegistryException(ErrorCode.MANIFEST_INVALID, String.join("; ", refused));
        }
        List<Object> missing = new ArrayList<>();
        for (Descriptor d : m.blobReferences()) {
            if (!LayerUrls.mayBeAbsent(d) && repo.statBlob(d.digest()).isEmpty()) {
                missing.add(d.digest().toString());
            }
        }
        for (Descriptor d : m.manifestReferences()) {
            if (!exists(d.digest())) {
                missing.add(d.digest().toString());
            }
        }
        if (!missing.isEmpty()) {
            throw new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN,
                    "manifest references unknown " + missing, java.util.Map.of("digests", missing));
        }
    }

    /** Removes the manifest from the repository, with every tag that points at it; false if absent. */
    public boolean delete(Digest d) throws IOException {
        if (!exists(d)) {
            return false;
        }
        for (Tag t : repo.tags().tagsOf(d)) {
            repo.tags().untag(t);
        }
        repo.registry().descriptorCache().revisionUnlinked(repo.name(), d);
        return Links.deleteIfPresent(repo.driver(), PathLayout.revisionDir(repo.name(), d));
    }

    /** Every manifest digest with a revision link in this repository. */
    public List<Digest> list() throws IOException {
        return Links.listDigestDirs(repo.driver(), PathLayout.revisionsDir(repo.name()));
    }

    /**
     * Manifests in this repository whose {@code subject} is the digest, optionally of one
     * artifact type. Computed from the revisions themselves (with parsed summaries cached),
     * so it stays right whichever registry or tool pushed or deleted them.
     */
    public List<ManifestInfo> referrers(Digest subject, String artifactType) throws IOException {
        List<ManifestInfo> out = new ArrayList<>();
        for (Digest d : list()) {
            ManifestInfo info;
            try {
                info = info(d).orElse(null);
            } catch (IOException e) {
                continue; // an unreadable revision refers to nothing
            }
            if (info != null && subject.equals(info.subject())
                    && (artifactType == null || artifactType.equals(info.artifactType()))) {
                out.add(info);
            }
        }
        out.sort(java.util.Comparator.comparing(ManifestInfo::digest));
        return out;
    }
}
