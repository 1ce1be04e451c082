package io.berth.server.it;

import io.berth.core.registry.Registry;
import io.berth.server.http.ApiPolicy;
import io.berth.server.http.RegistryServer;
import io.berth.storage.filesystem.FilesystemDriver;
import java.nio.file.Path;

/**
 * Berth in this JVM on a {@link FilesystemDriver} root, listening on 127.0.0.1 and a kernel-chosen
 * port, with the default API policy (deletes enabled). Use with try-with-resources.
 */
public final class BerthServer implements AutoCloseable {
    private final Path root;
    private final RegistryServer server;

    private BerthServer(Path root, RegistryServer server) {
        this.root = root;
        this.server = server;
    }

    public static BerthServer start(Path storageRoot) {
        RegistryServer server = new RegistryServer(new Registry(new FilesystemDriver(storageRoot)),
                ApiPolicy.defaults(), "127.0.0.1", 0);
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("starting Berth on " + storageRoot, e);
        }
        return new BerthServer(storageRoot, server);
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
        }
    }
}
