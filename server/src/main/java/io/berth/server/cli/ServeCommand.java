package io.berth.server.cli;

import io.berth.core.registry.BlobDescriptorCache;
import io.berth.core.registry.Registry;
import io.berth.core.storage.StorageDriver;
import io.berth.server.auth.AccessController;
import io.berth.server.auth.AccessControllers;
import io.berth.server.config.ConfigException;
import io.berth.server.config.GoDuration;
import io.berth.server.config.RegistryConfig;
import io.berth.server.http.ApiPolicy;
import io.berth.server.http.RegistryServer;
import io.berth.server.logging.LogSetup;
import io.berth.server.maintenance.GcWatch;
import io.berth.server.ops.Operations;
import io.berth.server.storage.Drivers;
import io.berth.server.tls.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code berth serve [config.yml]}: runs the registry, as {@code registry serve} does. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the registry. Without a config file: filesystem storage in ./data, port 5000.")
public final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Parameters(arity = "0..1", paramLabel = "CONFIG", description = "distribution-format config.yml")
    Path config;

    @Override
    public Integer call() throws Exception {
        RegistryConfig cfg;
        try {
            if (config != null && !Files.isRegularFile(config)) {
                throw new ConfigException("configuration file " + config + " does not exist");
            }
            cfg = config == null ? RegistryConfig.defaults(System.getenv()) : RegistryConfig.load(config, System.getenv());
        } catch (ConfigException e) {
            System.err.println("berth: configuration error: " + e.getMessage());
            return 2;
        }
        LogSetup.configure(cfg.logLevel(), cfg.logFormatter(), cfg.logFields(), cfg.accessLogEnabled());
        StorageDriver driver;
        AccessController auth;
        TlsSettings tls;
        try {
            auth = AccessControllers.fromConfig(cfg.auth());
            tls = TlsSettings.fromConfig(cfg.tls(), cfg.http2());
            driver = Drivers.fromConfig(cfg);
            Drivers.checkAccess(driver);
        } catch (ConfigException e) {
            System.err.println("berth: configuration error: " + e.getMessage());
            return 2;
        }
        Operations ops = new Operations(Operations.Settings.of(cfg), driver);
        RegistryConfig.Addr addr = cfg.addr();
        ApiPolicy policy = new ApiPolicy(cfg.deleteEnabled(), cfg.readOnly(), cfg.redirectDisabled(),
                cfg.relativeUrls(), cfg.httpHost(), cfg.httpPrefix(), cfg.headers());
        int cacheSize = cfg.blobDescriptorCacheSize();
        BlobDescriptorCache cache = cacheSize > 0 ? new BlobDescriptorCache(cacheSize) : BlobDescriptorCache.NONE;
        Registry registry = new Registry(ops.driver(), cache, cfg.layerUrls());
        RegistryServer server;
        try {
            server = new RegistryServer(registry, policy, addr.host(), addr.port(), ops.hooks(), auth, tls);
        } catch (ConfigException e) {
            System.err.println("berth: configuration error: " + e.getMessage());
            return 2;
        }
        // a gc on this store must not leave the cache answering for blobs it deleted
        GcWatch gcWatch = new GcWatch(ops.driver(), cache, cfg.readOnly(), Clock.systemUTC());
        gcWatch.start();
        try {
            server.start();
        } catch (Exception e) {
            System.err.println("berth: cannot listen on " + addr.host() + ":" + addr.port() + ": " + e.getMessage());
            gcWatch.close();
            ops.close();
            return 2;
        }
        try {
            ops.start();
        } catch (Exception e) {
            System.err.println("berth: cannot start the debug server on " + cfg.debug().addr() + ": " + e.getMessage());
            server.close();
            gcWatch.close();
            ops.close();
            return 2;
        }
        LOG.info("storage: {}{}; deletes {}; {}", driver.name(),
                driver.name().equals("filesystem") ? " at " + Path.of(cfg.filesystemRoot()).toAbsolutePath() : "",
                cfg.deleteEnabled() ? "enabled" : "disabled", cfg.readOnly() ? "read-only" : "read-write");
        LOG.info("access control: {}; {}", auth == null ? "none (open registry)" : auth.kind(),
                tls == null ? "plain HTTP" : "TLS" + (tls.clientCas().isEmpty() ? "" : " with client certificates")
                        + (tls.http2() ? ", HTTP/2" : ""));
        // SIGTERM: stop accepting, let requests in flight finish within http.draintimeout (new requests
        // on open connections get 503), then stop the background work and close the driver
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping: draining requests in flight for up to {}", GoDuration.format(cfg.drainTimeout()));
            try {
                server.close();
            } catch (Exception e) {
                LOG.warn("shutdown: {}", e.toString());
            }
            gcWatch.close();
            ops.close();
            try {
                driver.close();
            } catch (Exception e) {
                LOG.warn("shutdown: {}", e.toString());
            }
            LOG.info("stopped");
        }, "berth-shutdown"));
        server.join();
        return 0;
    }
}
