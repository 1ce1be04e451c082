package io.berth.core.registry;

import io.berth.core.layout.PathLayout;
import io.berth.core.manifest.LayerUrls;
import io.berth.core.reference.RepositoryName;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/** The registry's storage: the blob store and the repositories, on one driver. */
public final class Registry {
    private final StorageDriver driver;
    private final BlobStore blobs;
    private final ManifestCache manifestCache = new ManifestCache(100_000);
    private final HashStates hashStates = new HashStates();
    private final Lock[] uploadLocks = new Lock[256];

    private final BlobDescriptorCache descriptorCache;
    private final LayerUrls layerUrls;

    public Registry(StorageDriver driver) {
        this(driver, BlobDescriptorCache.NONE);
    }

    public Registry(StorageDriver driver, BlobDescriptorCache descriptorCache) {
        this(driver, descriptorCache, LayerUrls.DEFAULT);
    }

    public Registry(StorageDriver driver, BlobDescriptorCache descriptorCache, LayerUrls layerUrls) {
        this.driver = driver;
        this.descriptorCache = descriptorCache;
        this.layerUrls = layerUrls;
        this.blobs = new BlobStore(driver, descriptorCache);
        for (int i = 0; i < uploadLocks.length; i++) {
            uploadLocks[i] = new ReentrantLock();
        }
    }

    public StorageDriver driver() {
        return driver;
    }

    /** What URLs pushed layers may carry ({@code validation.manifests.urls}). */
    public LayerUrls layerUrls() {
        return layerUrls;
    }

    public BlobStore blobs() {
        return blobs;
    }

    public Repository repository(RepositoryName name) {
        return new Repository(this, name);
    }

    BlobDescriptorCache descriptorCache() {
        return descriptorCache;
    }

    ManifestCache manifestCache() {
        return manifestCache;
    }

    HashStates hashStates() {
        return hashStates;
    }

    /** Serialises chunks of one upload within this process (clients may retry a PATCH in parallel). */
    Lock uploadLock(String uuid) {
        return uploadLocks[Math.floorMod(uuid.hashCode(), uploadLocks.length)];
    }

    /**
     * Repository names in catalog order after {@code last} (null for the start), at most
     * {@code limit} of them. A repository is a directory holding {@code _manifests}, as in
     * distribution's catalog, so stores it wrote list the same.
     */
    public List<RepositoryName> catalog(String last, int limit) throws IOException {
        List<RepositoryName> out = new ArrayList<>();
        if (limit <= 0) {
            return out;
        }
        RepositoryName stoppedAt;
        try {
            stoppedAt = catalogWalk(PathLayout.REPOSITORIES, last, limit, out);
        } catch (PathNotFoundException e) {
            return out;
        }
        if (stoppedAt != null) {
            addUnvisitedAncestors(stoppedAt, last, out);
        }
        // '_manifests' sorts after digit-led child repositories, so the walk is not quite catalog order
        out.sort(null);
        return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
    }

    /**
     * Depth-first over directory listings only: which children to enter is decided from their
     * names, so no child is stat'ed (a walk would stat every entry of a directory of thousands of
     * repositories on each page). Returns the repository it stopped at once {@code limit} were
     * collected, or null when it reached the end.
     */
    private RepositoryName catalogWalk(String dir, String last, int limit, List<RepositoryName> out) throws IOException {
        String prefix = PathLayout.REPOSITORIES + "/";
        for (String child : driver.list(dir)) {
            String base = PathLayout.baseName(child);
            if (base.equals(PathLayout.MANIFESTS_DIR)) {
                Optional<RepositoryName> n = PathLayout.repositoryOfManifestsDir(child);
                if (n.isPresent() && (last == null || RepositoryName.compareCatalogOrder(n.get().value(), last) > 0)) {
                    out.add(n.get());
                    if (out.size() >= limit) {
                        return n.get();
                    }
                }
                continue;
            }
            if (base.startsWith("_") || base.startsWith(".")) {
                continue;
            }
            String rel = child.substring(prefix.length());
            // prune subtrees that sort entirely before 'last'
            if (last != null && RepositoryName.compareCatalogOrder(rel, last) < 0 && !last.startsWith(rel + "/")) {
                continue;
            }
            try {
                RepositoryName stop = catalogWalk(child, last, limit, out);
                if (stop != null) {
                    return stop;
                }
            } catch (PathNotFoundException e) {
                // a file, or deleted while we listed
            }
        }
        return null;
    }

    /**
     * The walk visits a directory's digit-led children before its own {@code _manifests}, so when
     * it stops early inside {@code a/0x}, the repository {@code a} (which sorts first) has not been
     * seen yet. Everything else not yet visited sorts after all that was collected, so adding the
     * stopping point's ancestors makes the first {@code limit} names exact, while a page costs a
     * walk of about {@code limit} repositories rather than of the whole rest of the store.
     */
    private void addUnvisitedAncestors(RepositoryName stop, String last, List<RepositoryName> out) throws IOException {
        String name = stop.value();
        for (int i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
            String ancestor = name.substring(0, i);
            if (!RepositoryName.isValid(ancestor)
                    || (last != null && RepositoryName.compareCatalogOrder(ancestor, last) <= 0)) {
                continue;
            }
            RepositoryName a = new RepositoryName(ancestor);
            if (out.contains(a)) {
                continue;
            }
            try {
                if (driver.stat(PathLayout.manifestsDir(a)).isDirectory()) {
                    out.add(a);
                }
            } catch (PathNotFoundException e) {
                // not a repository, only a path prefix of one
            }
        }
    }
}
