package io.berth.core.walk;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.manifest.Descriptor;
import io.berth.core.manifest.Manifest;
import io.berth.core.manifest.ManifestInvalidException;
import io.berth.core.manifest.ManifestParser;
import io.berth.core.reference.Tag;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One repository's manifests and what they reach: tags → manifests → child manifests (index,
 * manifest list) → blobs (config, layers, schema1 fsLayers), plus referrers (an artifact whose
 * {@code subject} is reached is reached too). gc marks with it, verify checks with it, migrate
 * copies in its order.
 *
 * <p>Manifests are read from the blob store on first use; a revision whose blob is missing or
 * does not parse is recorded in {@link #unreadable()} instead of failing the walk.
 */
public final class RepositoryGraph {
    /** Larger than distribution accepts for a manifest: whatever it is, it is not one. */
    private static final long MAX_MANIFEST_BYTES = 4L << 20;

    private final StorageDriver driver;
    private final RepositoryEntries entries;
    private final Map<Digest, Optional<Manifest>> manifests = new HashMap<>();
    private final Map<Digest, String> unreadable = new TreeMap<>();
    private final Map<Tag, Digest> tags = new TreeMap<>();
    private final Map<Tag, String> brokenTags = new TreeMap<>();
    private Map<Digest, List<Digest>> referrersBySubject;
    private final boolean hashManifests;

    private RepositoryGraph(StorageDriver driver, RepositoryEntries entries, boolean hashManifests) {
        this.driver = driver;
        this.entries = entries;
        this.hashManifests = hashManifests;
    }

    /** Reads the repository's tag links; manifests are loaded as they are needed. */
    public static RepositoryGraph load(StorageDriver driver, RepositoryEntries entries) throws IOException {
        return load(driver, entries, false);
    }

    /**
     * @param hashManifests also count a manifest whose bytes do not hash to its digest as
     *                      unreadable (gc: a corrupt manifest names the wrong blobs to keep)
     */
    public static RepositoryGraph load(StorageDriver driver, RepositoryEntries entries, boolean hashManifests)
            throws IOException {
        RepositoryGraph g = new RepositoryGraph(driver, entries, hashManifests);
        for (RepositoryEntries.TagEntries t : entries.tags().values()) {
            if (!t.hasCurrent()) {
                continue;
            }
            // a tag's current link mostly names one of its index entries: its MD5 may say which
            Optional<Digest> known = PathLayout.linkTargetByMd5(t.current(), t.index().keySet());
            if (known.isPresent()) {
                g.tags.put(t.tag(), known.get());
                continue;
            }
            try {
                g.tags.put(t.tag(), PathLayout.parseLink(driver.getContent(t.current().path())));
            } catch (PathNotFoundException e) {
                // untagged while we looked
            } catch (IllegalArgumentException e) {
                g.brokenTags.put(t.tag(), "link does not hold a digest: " + e.getMessage());
            }
        }
        return g;
    }

    public RepositoryEntries entries() {
        return entries;
    }

    /** Tag → the manifest its current link names (whether or not that manifest exists). */
    public Map<Tag, Digest> tags() {
        return Collections.unmodifiableMap(tags);
    }

    /** Tags whose current link could not be parsed, with the reason. */
    public Map<Tag, String> brokenTags() {
        return Collections.unmodifiableMap(brokenTags);
    }

    /** Manifests that were needed but could not be read, with the reason (after the calls so far). */
    public Map<Digest, String> unreadable() {
        return Collections.unmodifiableMap(unreadable);
    }

    /** The manifest with this digest, read from the blob store; empty if missing or unparsable. */
    public Optional<Manifest> manifest(Digest d) throws IOException {
        Optional<Manifest> m = manifests.get(d);
        if (m == null) {
            m = read(d);
            manifests.put(d, m);
        }
        return m;
    }

    private Optional<Manifest> read(Digest d) throws IOException {
        String path = PathLayout.blobData(d);
        try {
            // one bounded read, no stat first: on S3 that halves the requests of the mark phase
            byte[] bytes;
            try (java.io.InputStream in = driver.reader(path, 0)) {
                bytes = in.readNBytes((int) MAX_MANIFEST_BYTES + 1);
            }
            if (bytes.length > MAX_MANIFEST_BYTES) {
                unreadable.put(d, "blob of more than " + MAX_MANIFEST_BYTES + " bytes is too large to be a manifest");
                return Optional.empty();
            }
            if (hashManifests && !Digest.of(d.algorithm(), bytes).equals(d)) {
                unreadable.put(d, "blob " + path + " does not hash to " + d);
                return Optional.empty();
            }
            return Optional.of(ManifestParser.parse(bytes, null, d));
        } catch (PathNotFoundException e) {
            unreadable.put(d, "blob " + path + " is missing");
        } catch (ManifestInvalidException e) {
            unreadable.put(d, "does not parse: " + e.getMessage());
        }
        return Optional.empty();
    }

    /** The revisions some tag's current link names. */
    public Set<Digest> taggedRevisions() {
        Set<Digest> out = new LinkedHashSet<>();
        for (Digest d : tags.values()) {
            if (entries.revisions().containsKey(d)) {
                out.add(d);
            }
        }
        return out;
    }

    /**
     * Every manifest reached from {@code roots}: their child manifests, recursively, and the
     * referrers of anything reached (recursively too: a signature of an SBOM of an image).
     */
    public Set<Digest> reachableManifests(Collection<Digest> roots) throws IOException {
        Set<Digest> seen = new LinkedHashSet<>();
        Deque<Digest> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            Digest d = todo.pop();
            if (!seen.add(d)) {
                continue;
            }
            Optional<Manifest> m = manifest(d);
            if (m.isPresent()) {
                for (Descriptor child : m.get().manifestReferences()) {
                    todo.push(child.digest());
                }
            }
            for (Digest r : referrers().getOrDefault(d, List.of())) {
                todo.push(r);
            }
        }
        return seen;
    }

    /** The blobs the given manifests need: each manifest's own blob, its config and layers. */
    public Set<Digest> blobsOf(Collection<Digest> manifestDigests) throws IOException {
        Set<Digest> out = new HashSet<>();
        for (Digest d : manifestDigests) {
            out.add(d);
            Optional<Manifest> m = manifest(d);
            if (m.isPresent()) {
                for (Descriptor b : m.get().blobReferences()) {
                    out.add(b.digest());
                }
            }
        }
        return out;
    }

    /** Subject → the revisions of this repository that name it as their subject. */
    public Map<Digest, List<Digest>> referrers() throws IOException {
        if (referrersBySubject == null) {
            Map<Digest, List<Digest>> map = new HashMap<>();
            for (Digest rev : entries.revisions().keySet()) {
                Optional<Manifest> m = manifest(rev);
                if (m.isPresent() && m.get().subject().isPresent()) {
                    map.computeIfAbsent(m.get().subject().get().digest(), k -> new java.util.ArrayList<>()).add(rev);
                }
            }
            referrersBySubject = map;
        }
        return referrersBySubject;
    }
}
