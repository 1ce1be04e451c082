package io.berth.server.metrics;

import io.berth.core.storage.StorageDriver;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * The registry's meters ({@code http.debug.prometheus}): requests by method, route and status with
 * latency histograms and bytes in and out, storage driver calls by operation, open upload sessions,
 * notification deliveries, and the JVM's memory, GC and threads. Disabled, the meters are
 * Micrometer's no-op ones and the storage driver is not wrapped.
 */
public final class Metrics implements AutoCloseable {
    /** Prometheus' text format, version 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    static final Duration[] REQUEST_BUCKETS = seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
            60, 300);
    static final Duration[] STORAGE_BUCKETS = seconds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
            2.5, 5, 10, 30);

    private final MeterRegistry registry;
    private final PrometheusMeterRegistry prometheus;
    private final JvmGcMetrics gc;
    private final HttpMetrics http;
    private final UploadSessions uploads;

    private Metrics(MeterRegistry registry, PrometheusMeterRegistry prometheus) {
        this.registry = registry;
        this.prometheus = prometheus;
        if (prometheus != null) {
            new JvmMemoryMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ClassLoaderMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
            gc = new JvmGcMetrics();
            gc.bindTo(registry);
        } else {
            gc = null;
        }
        this.http = new HttpMetrics(registry);
        this.uploads = new UploadSessions();
        Gauge.builder("registry.uploads.open", uploads, UploadSessions::count)
                .description("Upload sessions started or resumed on this instance and not yet completed, "
                        + "cancelled or purged")
                .register(registry);
    }

    public static Metrics prometheus() {
        PrometheusMeterRegistry p = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        return new Metrics(p, p);
    }

    /** No-op meters: nothing is recorded or served. */
    public static Metrics disabled() {
        return new Metrics(new CompositeMeterRegistry(), null);
    }

    public boolean enabled() {
        return prometheus != null;
    }

    public MeterRegistry registry() {
        return registry;
    }

    public HttpMetrics http() {
        return http;
    }

    /** The tracker of open upload sessions, an ApiListener. */
    public UploadSessions uploads() {
        return uploads;
    }

    /** The driver, timed per operation when metrics are on. */
    public StorageDriver timed(StorageDriver driver) {
        return enabled() ? new TimedStorageDriver(driver, registry) : driver;
    }

    /** Everything in Prometheus' text format. */
    public String scrape() {
        return prometheus == null ? "" : prometheus.scrape();
    }

    @Override
    public void close() {
        if (gc != null) {
            gc.close();
        }
        registry.close();
    }

    private static Duration[] seconds(double... s) {
        Duration[] out = new Duration[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = Duration.ofNanos((long) (s[i] * 1e9));
        }
        return out;
    }
}
