package io.berth.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per request: {@code registry_http_request_duration_seconds} (histogram; its {@code _count} is the
 * number of requests) by method, route and status, {@code registry_http_received_bytes_total} and
 * {@code registry_http_sent_bytes_total} by method and route, and the requests in flight. The route
 * is ApiHandler's template name, never the path, so names and digests cannot explode the series.
 */
public final class HttpMetrics {
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "PUT", "POST", "PATCH", "DELETE", "OPTIONS");

    private final MeterRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();

    HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("registry.http.requests.in.flight", inFlight, AtomicInteger::get)
                .description("Requests being handled").register(registry);
    }

    public void started() {
        inFlight.incrementAndGet();
    }

    public void finished(String method, String route, int status, long nanos, long bytesIn, long bytesOut) {
        inFlight.decrementAndGet();
        String m = METHODS.contains(method) ? method : "other";
        Timer.builder("registry.http.request.duration")
                .description("Time from request to the end of the response")
                .tags("method", m, "route", route, "status", Integer.toString(status))
                .serviceLevelObjectives(Metrics.REQUEST_BUCKETS)
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
        if (bytesIn > 0) {
            Counter.builder("registry.http.received").baseUnit("bytes").description("Request body bytes read")
                    .tags("method", m, "route", route).register(registry).increment(bytesIn);
        }
        if (bytesOut > 0) {
            Counter.builder("registry.http.sent").baseUnit("bytes").description("Response body bytes written")
                    .tags("method", m, "route", route).register(registry).increment(bytesOut);
        }
    }
}
