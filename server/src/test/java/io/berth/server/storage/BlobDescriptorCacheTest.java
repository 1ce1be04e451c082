package io.berth.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.digest.Digest;
import io.berth.core.reference.Reference;
import io.berth.core.reference.RepositoryName;
import io.berth.core.registry.BlobDescriptorCache;
import io.berth.core.registry.Registry;
import io.berth.core.registry.Repository;
import io.berth.core.storage.StorageDriver;
import io.berth.storage.inmemory.InMemoryDriver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** storage.cache.blobdescriptor: inmemory spares the backend repeated stats, and forgets unlinked blobs. */
class BlobDescriptorCacheTest {

    /** Counts stat calls (stat, or statFile for layout files) on a real in-memory driver. */
    private static StorageDriver counting(StorageDriver real, AtomicInteger stats) {
        return counting(real, stats, new ArrayList<>());
    }

    /** Also records the path of every putContent. */
    private static StorageDriver counting(StorageDriver real, AtomicInteger stats, List<String> puts) {
        return (StorageDriver) Proxy.newProxyInstance(StorageDriver.class.getClassLoader(),
                new Class<?>[] {StorageDriver.class}, (proxy, method, args) -> {
                    if (method.getName().equals("stat") || method.getName().equals("statFile")) {
                        stats.incrementAndGet();
                    }
                    if (method.getName().equals("putContent")) {
                        puts.add((String) args[0]);
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static Digest push(Repository repo, byte[] content) throws IOException {
        Digest d = Digest.sha256(content);
        String uuid = repo.uploads().start();
        repo.uploads().complete(uuid, d, new ByteArrayInputStream(content), -1);
        return d;
    }

    @Test
    void repeatedStatsHitTheBackendOnceWithTheCache() throws IOException {
        AtomicInteger stats = new AtomicInteger();
        Registry registry = new Registry(counting(new InMemoryDriver(), stats), new BlobDescriptorCache(100));
        Repository repo = registry.repository(RepositoryName.of("a/b"));
        Digest d = push(repo, "hello".getBytes(StandardCharsets.UTF_8));
        assertTrue(repo.statBlob(d).isPresent());
        int before = stats.get();
        for (int i = 0; i < 50; i++) {
            assertEquals(5, repo.statBlob(d).orElseThrow().size());
        }
        assertEquals(before, stats.get(), "cached stats must not reach the driver");

        assertTrue(repo.unlinkBlob(d));
        assertTrue(repo.statBlob(d).isEmpty(), "an unlinked blob must not be served from the cache");
    }

    @Test
    void withoutTheCacheEveryStatReachesTheBackend() throws IOException {
        AtomicInteger stats = new AtomicInteger();
        Registry registry = new Registry(counting(new InMemoryDriver(), stats));
        Repository repo = registry.repository(RepositoryName.of("a/b"));
        Digest d = push(repo, "hello".getBytes(StandardCharsets.UTF_8));
        int before = stats.get();
        for (int i = 0; i < 10; i++) {
            assertTrue(repo.statBlob(d).isPresent());
        }
        assertEquals(before + 20, stats.get(), "link and blob stat per call");
    }

    /** An OCI image manifest of one layer, pushed with its config and layer. */
    private static byte[] image(Repository repo) throws IOException {
        Digest config = push(repo, "{}".getBytes(StandardCharsets.UTF_8));
        Digest layer = push(repo, "layer".getBytes(StandardCharsets.UTF_8));
        return ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + config + "\",\"size\":2},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layer + "\",\"size\":5}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static final String OCI = "application/vnd.oci.image.manifest.v1+json";

    /**
     * A manifest pushed again rewrites its revision link even when the cache knows it is linked:
     * the link's fresh modification time is what keeps gc --delete-untagged's grace period off an
     * untagged manifest (an index child) that was just pushed again.
     */
    @Test
    void pushingAKnownManifestAgainRewritesItsRevisionLink() throws IOException {
        List<String> puts = new ArrayList<>();
        Registry registry = new Registry(counting(new InMemoryDriver(), new AtomicInteger(), puts), new BlobDescriptorCache(100));
        Repository repo = registry.repository(RepositoryName.of("a/b"));
        byte[] body = image(repo);
        Digest d = repo.manifests().put(body, OCI, Reference.parse("one"), List.of()).digest();
        assertTrue(repo.manifests().exists(d));
        puts.clear();
        repo.manifests().put(body, OCI, Reference.parse(d.toString()), List.of());
        assertEquals(List.of("/docker/registry/v2/repositories/a/b/_manifests/revisions/sha256/" + d.hex() + "/link"), puts,
                "a push by digest of a linked manifest writes its revision link, and nothing else (the content is there)");
    }

    @Test
    void withoutTheCacheEveryPushWritesTheRevisionLink() throws IOException {
        List<String> puts = new ArrayList<>();
        Registry registry = new Registry(counting(new InMemoryDriver(), new AtomicInteger(), puts));
        Repository repo = registry.repository(RepositoryName.of("a/b"));
        byte[] body = image(repo);
        repo.manifests().put(body, OCI, Reference.parse("one"), List.of());
        puts.clear();
        repo.manifests().put(body, OCI, Reference.parse("two"), List.of());
        assertEquals(3, puts.size(), "revision link and the tag's two links: " + puts);
    }
}
