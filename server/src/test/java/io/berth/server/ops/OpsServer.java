package io.berth.server.ops;

import io.berth.core.registry.Registry;
import io.berth.server.config.RegistryConfig;
import io.berth.server.http.ApiPolicy;
import io.berth.server.http.RegistryServer;
import io.berth.storage.filesystem.FilesystemDriver;
import java.nio.file.Path;
import java.util.Map;

/**
 * Berth in this JVM as {@code berth serve} assembles it, from a config.yml text: filesystem storage
 * at {@code root}, the API on 127.0.0.1 and a kernel-chosen port, and {@link Operations} (debug
 * server, checks, notifications, metrics, purging) from the config's sections.
 */
public final class OpsServer implements AutoCloseable {
    public final Operations ops;
    public final RegistryServer server;
    public final Registry registry;
    public final Path root;

    private OpsServer(Path root, Operations ops, Registry registry, RegistryServer server) {
        this.root = root;
        this.ops = ops;
        this.registry = registry;
        this.server = server;
    }

    /**
     * {@code extraYaml} follows {@code http:\n  addr: ...}: indented lines continue the http section
     * (e.g. {@code "  debug:\n    addr: 127.0.0.1:0\n"}), unindented ones start top-level sections.
     */
    public static OpsServer start(Path root, String extraYaml) throws Exception {
        String yaml = "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: '" + root + "'\n"
                + "  delete:\n    enabled: true\n"
                + "http:\n  addr: 127.0.0.1:0\n" + (extraYaml == null ? "" : extraYaml);
        RegistryConfig cfg = RegistryConfig.parse(yaml, Map.of());
        Operations ops = new Operations(Operations.Settings.of(cfg), new FilesystemDriver(root));
        Registry registry = new Registry(ops.driver());
        ApiPolicy d = ApiPolicy.defaults();
        ApiPolicy policy = new ApiPolicy(cfg.deleteEnabled(), cfg.readOnly(), d.redirectDisabled(), d.relativeUrls(),
                d.host(), d.prefix(), d.headers());
        RegistryServer server = new RegistryServer(registry, policy, "127.0.0.1", 0, ops.hooks());
        server.start();
        ops.start();
        return new OpsServer(root, ops, registry, server);
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    public String debugUrl() {
        return "http://127.0.0.1:" + ops.debugPort();
    }

    @Override
    public void close() throws Exception {
        server.close();
        ops.close();
    }
}
