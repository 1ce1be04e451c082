package io.berth.server.ops;

import io.berth.core.storage.StorageDriver;
import io.berth.server.config.DebugConfig;
import io.berth.server.config.HealthConfig;
import io.berth.server.config.NotificationsConfig;
import io.berth.server.config.RegistryConfig;
import io.berth.server.config.UploadPurgeConfig;
import io.berth.server.debug.DebugServer;
import io.berth.server.health.Checks;
import io.berth.server.health.HealthChecks;
import io.berth.server.http.ApiListener;
import io.berth.server.http.ServerHooks;
import io.berth.server.maintenance.UploadPurger;
import io.berth.server.metrics.Metrics;
import io.berth.server.notify.Notifier;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything issue 6's operations add to a running registry, built from config.yml: metrics (and
 * the timed driver), health checks, notifications, the debug server, upload purging, the access log
 * and the drain timeout. {@link #hooks()} is what RegistryServer wraps around the API.
 */
public final class Operations implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Operations.class);
    /** How long a stop gives webhook queues to drain after the API has stopped. */
    static final Duration NOTIFY_FLUSH = Duration.ofSeconds(5);

    private final Metrics metrics;
    private final StorageDriver driver;
    private final HealthChecks health;
    private final HealthConfig healthConfig;
    private final Notifier notifier;
    private final UploadPurger purger;
    private final DebugConfig debugConfig;
    private final ServerHooks hooks;
    private DebugServer debug;

    public record Settings(NotificationsConfig notifications, HealthConfig health, DebugConfig debug,
                           UploadPurgeConfig uploadPurging, boolean readOnly, boolean accessLog,
                           Duration drainTimeout, int apiPort) {
        public static Settings of(RegistryConfig cfg) {
            return new Settings(cfg.notifications(), cfg.health(), cfg.debug(), cfg.uploadPurging(), cfg.readOnly(),
                    cfg.accessLogEnabled(), cfg.drainTimeout(), cfg.addr().port());
        }
    }

    public Operations(Settings s, StorageDriver rawDriver) {
        this.debugConfig = s.debug();
        this.metrics = s.debug().prometheus() && s.debug().addr() != null ? Metrics.prometheus() : Metrics.disabled();
        if (s.debug().prometheus() && s.debug().addr() == null) {
            LOG.warn("http.debug.prometheus.enabled is set but http.debug.addr is not: metrics are not served");
        }
        this.driver = metrics.timed(rawDriver);
        this.healthConfig = s.health();
        this.health = new HealthChecks();
        this.notifier = Notifier.fromConfig(s.notifications(), s.apiPort(), metrics.registry());
        this.purger = new UploadPurger(driver, s.uploadPurging(), s.readOnly(), uuid -> metrics.uploads().uploadClosed(uuid),
                Clock.systemUTC());
        List<ApiListener> listeners = new ArrayList<>();
        if (!notifier.isEmpty()) {
            listeners.add(notifier);
        }
        if (metrics.enabled()) {
            listeners.add(metrics.uploads());
        }
        HealthChecks gate = s.health().any() ? health : null;
        boolean accessLog = s.accessLog();
        this.hooks = new ServerHooks(ApiListener.all(listeners),
                api -> new OpsHandler(api, gate, metrics.enabled() ? metrics.http() : null, accessLog),
                s.drainTimeout());
    }

    /** The storage driver the registry should use (timed when metrics are on). */
    public StorageDriver driver() {
        return driver;
    }

    public ServerHooks hooks() {
        return hooks;
    }

    public Metrics metrics() {
        return metrics;
    }

    public HealthChecks health() {
        return health;
    }

    /** Starts the checks, the purger and the debug server; throws if the debug address cannot be bound. */
    public void start() throws Exception {
        Checks.register(health, healthConfig, driver);
        purger.start();
        if (debugConfig.addr() != null) {
            debug = new DebugServer(debugConfig.addr().host(), debugConfig.addr().port(), health, metrics,
                    metrics.enabled() ? debugConfig.prometheusPath() : null);
            debug.start();
        }
    }

    public int debugPort() {
        return debug == null ? -1 : debug.port();
    }

    /** After the API has stopped: the purger and checks, then webhook queues (bounded), then the debug server. */
    @Override
    public void close() {
        purger.close();
        health.close();
        notifier.close(NOTIFY_FLUSH);
        if (debug != null) {
            try {
                debug.close();
            } catch (Exception e) {
                LOG.warn("stopping the debug server: {}", e.toString());
            }
        }
        metrics.close();
    }
}
