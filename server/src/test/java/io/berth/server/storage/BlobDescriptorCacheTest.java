package io.berth.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.digest.Digest;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** storage.cache.blobdescriptor: inmemory spares the backend repeated stats, and forgets unlinked blobs. */
class BlobDescriptorCacheTest {

    /** Counts stat calls (stat, or statFile for layout files) on a real in-memory driver. */
    private static StorageDriver counting(StorageDriver real, AtomicInteger stats) {
        return (StorageDriver) Proxy.newProxyInstance(StorageDriver.class.getClassLoader(),
                new Class<?>[] {StorageDriver.class}, (proxy, method, args) -> {
                    if (method.getName().equals("stat") || method.getName().equals("statFile")) {
                        stats.incrementAndGet();
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

}
