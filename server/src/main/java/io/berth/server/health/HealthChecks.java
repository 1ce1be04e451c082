package io.berth.server.health;

import io.berth.server.config.GoDuration;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodic health checks, as distribution's {@code health} package runs them: each check runs every
 * interval on a background thread and its last result is what requests see, so answering
 * {@code /debug/health} or gating a request never waits on a check. With a threshold, a check is
 * failing only after that many failures in a row. Unlike distribution, the first run is at start-up
 * rather than after one interval, so a registry started with a failing check never serves.
 */
public final class HealthChecks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthChecks.class);

    /** A check: returns normally when healthy, throws with the reason otherwise. */
    @FunctionalInterface
    public interface Check {
        void run() throws Exception;
    }

    private final Map<String, Status> checks = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(4, r -> {
        Thread t = new Thread(r, "berth-health");
        t.setDaemon(true);
        return t;
    });

    /** A check's failures in a row and last error, updated only by the timer thread. */
    private static final class Status {
        final int threshold;
        volatile String error;
        volatile int failures;

        Status(int threshold) {
            this.threshold = Math.max(1, threshold);
        }
    }

    public void register(String name, Duration interval, int threshold, Check check) {
        Status s = new Status(threshold);
        if (checks.putIfAbsent(name, s) != null) {
            throw new IllegalArgumentException("health check " + name + " is configured twice");
        }
        long ms = Math.max(1, interval.toMillis());
        timer.scheduleWithFixedDelay(() -> run(name, s, check), 0, ms, TimeUnit.MILLISECONDS);
        LOG.info("health check {} every {} (threshold {})", name, GoDuration.format(interval), s.threshold);
    }

    private static void run(String name, Status s, Check check) {
        try {
            check.run();
            if (s.failures >= s.threshold) {
                LOG.info("health check {} passes again", name);
            }
            s.failures = 0;
            s.error = null;
        } catch (Throwable t) {
            String msg = t.getMessage() == null ? t.toString() : t.getMessage();
            s.error = msg;
            if (s.failures < s.threshold) {
                s.failures++;
                if (s.failures == s.threshold) {
                    LOG.warn("health check {} fails: {}", name, msg);
                }
            }
        }
    }

    public boolean isEmpty() {
        return checks.isEmpty();
    }

    /** Failing checks by name with their error, as {@code /debug/health} reports them; empty when healthy. */
    public Map<String, String> failing() {
        Map<String, String> out = new TreeMap<>();
        checks.forEach((name, s) -> {
            String e = s.error;
            if (e != null && s.failures >= s.threshold) {
                out.put(name, e);
            }
        });
        return out;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
