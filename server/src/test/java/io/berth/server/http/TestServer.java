package io.berth.server.http;

import io.berth.core.manifest.LayerUrls;
import io.berth.core.registry.BlobDescriptorCache;
import io.berth.core.registry.Registry;
import io.berth.core.storage.StorageDriver;
import io.berth.storage.filesystem.FilesystemDriver;
import io.berth.storage.inmemory.InMemoryDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** One in-process registry on 127.0.0.1, on a filesystem directory (root != null) or in memory. */
final class TestServer implements AutoCloseable {
    static final String V2 = "docker/registry/v2";

    final Path root;
    final StorageDriver driver;
    final Registry registry;
    final RegistryServer server;
    final Api api;

    private TestServer(Path root, StorageDriver driver, ApiPolicy policy) throws Exception {
        this(root, driver, policy, BlobDescriptorCache.NONE);
    }

    private TestServer(Path root, StorageDriver driver, ApiPolicy policy, BlobDescriptorCache cache) throws Exception {
        this(root, driver, policy, cache, LayerUrls.DEFAULT);
    }

    private TestServer(Path root, StorageDriver driver, ApiPolicy policy, BlobDescriptorCache cache, LayerUrls urls)
            throws Exception {
        this.root = root;
        this.driver = driver;
        this.registry = new Registry(driver, cache, urls);
        this.server = new RegistryServer(registry, policy, "127.0.0.1", 0);
        server.start();
        this.api = new Api("127.0.0.1", server.port());
    }

    static TestServer filesystem(Path root) throws Exception {
        return filesystem(root, ApiPolicy.defaults());
    }

    static TestServer filesystem(Path root, ApiPolicy policy) throws Exception {
        return new TestServer(root, new FilesystemDriver(root), policy);
    }

    /** On the filesystem with this validation.manifests.urls policy. */
    static TestServer filesystem(Path root, LayerUrls urls) throws Exception {
        return new TestServer(root, new FilesystemDriver(root), ApiPolicy.defaults(), BlobDescriptorCache.NONE, urls);
    }

    /** On the filesystem with storage.cache.blobdescriptor: inmemory. */
    static TestServer filesystemWithDescriptorCache(Path root) throws Exception {
        return new TestServer(root, new FilesystemDriver(root), ApiPolicy.defaults(), new BlobDescriptorCache(10_000));
    }

    /** On this driver with storage.cache.blobdescriptor: inmemory. */
    static TestServer withDescriptorCache(StorageDriver driver) throws Exception {
        return new TestServer(null, driver, ApiPolicy.defaults(), new BlobDescriptorCache(10_000));
    }

    static TestServer inMemory() throws Exception {
        return inMemory(ApiPolicy.defaults());
    }

    static TestServer inMemory(ApiPolicy policy) throws Exception {
        return new TestServer(null, new InMemoryDriver(), policy);
    }

    boolean onDisk() {
        return root != null;
    }

    Path v2() {
        return root.resolve(V2);
    }

    Path blobData(String digest) {
        String[] p = digest.split(":");
        return v2().resolve("blobs").resolve(p[0]).resolve(p[1].substring(0, 2)).resolve(p[1]).resolve("data");
    }

    Path repoDir(String name) {
        return v2().resolve("repositories").resolve(name);
    }

    /** Every regular file under blobs/ (relative paths), including stray temp files. */
    List<String> blobFiles() {
        return files(v2().resolve("blobs"));
    }

    List<String> files(Path dir) {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
