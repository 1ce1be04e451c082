package io.berth.server.it;

import io.berth.core.registry.BlobDescriptorCache;
import io.berth.core.registry.Registry;
import io.berth.server.http.ApiPolicy;
import io.berth.server.http.RegistryServer;
import io.berth.core.storage.StorageDriver;
import io.berth.server.maintenance.GcWatch;
import io.berth.storage.filesystem.FilesystemDriver;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Berth in this JVM on a {@link FilesystemDriver} root (or another driver), listening on 127.0.0.1 and a kernel-chosen
 * port, with the default API policy (deletes enabled). Use with try-with-resources.
 */
public final class BerthServer implements AutoCloseable {
    private final Path root;
    private final RegistryServer server;
    private final GcWatch watch;

    private BerthServer(Path root, RegistryServer server, GcWatch watch) {
        this.root = root;
        this.server = server;
        this.watch = watch;
    }

    public static BerthServer start(Path storageRoot) {
        return start(storageRoot, false);
    }

    /**
     * With {@code cached}, as {@code storage.cache.blobdescriptor: inmemory}: a descriptor cache,
     * and the watch that keeps it true while a gc runs, as {@code berth serve} starts them.
     */
    public static BerthServer start(Path storageRoot, boolean cached) {
        return start(storageRoot, new FilesystemDriver(storageRoot), cached);
    }

    /** {@link #start(Path, boolean)} on any driver (S3, Azure); {@link #storageRoot()} is null then. */
    public static BerthServer start(StorageDriver driver, boolean cached) {
        return start(null, driver, cached);
    }

    private static BerthServer start(Path storageRoot, StorageDriver driver, boolean cached) {
        BlobDescriptorCache cache = cached ? new BlobDescriptorCache(10_000) : BlobDescriptorCache.NONE;
        GcWatch watch = new GcWatch(driver, cache, false, Clock.systemUTC());
        watch.start();
        RegistryServer server = new RegistryServer(new Registry(driver, cache), ApiPolicy.defaults(), "127.0.0.1", 0);
        try {
            server.start();
        } catch (Exception e) {
            watch.close();
            throw new IllegalStateException("starting Berth on " + driver, e);
        }
        return new BerthServer(storageRoot, server, watch);
    }

    public String hostPort() {
        return "127.0.0.1:" + server.port();
    }

    public String url() {
        return "http://" + hostPort();
    }

    public Path storageRoot() {
        return root;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (Exception e) {
            throw new IllegalStateException("stopping Berth", e);
        } finally {
            watch.close();
        }
    }
}
