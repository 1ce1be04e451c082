package io.berth.server.notify;

import io.berth.server.config.GoDuration;
import io.berth.server.config.NotificationsConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One webhook endpoint: a bounded in-memory queue and a background sender that POSTs envelopes and
 * retries them as distribution's retrying sink does, forever: after {@code threshold} failures in a
 * row it waits {@code backoff} before each further attempt. So an endpoint that is down for a while
 * loses nothing, as long as the queue holds. {@link #offer} never blocks: a full queue drops its
 * oldest event, counted in {@code registry_notifications_events_total{outcome="dropped"}} and logged.
 */
public final class Endpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Endpoint.class);
    /** Events per envelope when a backlog has built up (distribution sends one envelope per request). */
    static final int MAX_BATCH = 100;

    private final NotificationsConfig.Endpoint cfg;
    private final int capacity;
    private final HttpClient client;
    private final ArrayDeque<Event> queue = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread sender;
    private final Counter sent;
    private final Counter failed;
    private final Counter dropped;
    private volatile boolean closing;
    private volatile boolean stopped;
    private int inFlight;
    private long droppedSinceWarning;
    private long lastDropWarning;

    public Endpoint(NotificationsConfig.Endpoint cfg, int capacity, MeterRegistry meters) {
        this.cfg = cfg;
        this.capacity = capacity;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(cfg.timeout()).build();
        this.sent = counter(meters, "sent");
        this.failed = counter(meters, "failed");
        this.dropped = counter(meters, "dropped");
        Gauge.builder("registry.notifications.pending", this, Endpoint::pending).tag("endpoint", cfg.name())
                .description("Events queued or being delivered").register(meters);
        this.sender = new Thread(this::run, "berth-notify-" + cfg.name());
        sender.setDaemon(true);
        sender.start();
    }

    private Counter counter(MeterRegistry meters, String outcome) {
        return Counter.builder("registry.notifications.events").tags("endpoint", cfg.name(), "outcome", outcome)
                .description("Events by endpoint: sent, failed attempts (retried), dropped (queue full or stop)")
                .register(meters);
    }

    public String name() {
        return cfg.name();
    }

    /** Queues an event unless the endpoint ignores its media type or action; never blocks on the network. */
    public void offer(Event e) {
        if (cfg.ignoredActions().contains(e.action())
                || (e.target().mediaType() != null && cfg.ignoredMediaTypes().contains(e.target().mediaType()))) {
            return;
        }
        lock.lock();
        try {
            if (closing) {
                dropped.increment();
                return;
            }
            if (queue.size() >= capacity) {
                queue.pollFirst();
                dropped.increment();
                droppedSinceWarning++;
                long now = System.nanoTime();
                if (now - lastDropWarning > TimeUnit.SECONDS.toNanos(10) || lastDropWarning == 0) {
                    LOG.warn("notifications: endpoint {} is behind; its queue of {} is full, dropped the oldest {} "
                            + "event(s) ({} dropped in total)", cfg.name(), capacity, droppedSinceWarning,
                            (long) dropped.count());
                    droppedSinceWarning = 0;
                    lastDropWarning = now;
                }
            }
            queue.addLast(e);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public int pending() {
        lock.lock();
        try {
            return queue.size() + inFlight;
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (true) {
            List<Event> batch = new ArrayList<>();
            lock.lock();
            try {
                while (queue.isEmpty() && !closing) {
                    changed.awaitUninterruptibly();
                }
                if (queue.isEmpty() || stopped) {
                    return;
                }
                while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
                    batch.add(queue.pollFirst());
                }
                inFlight = batch.size();
            } finally {
                lock.unlock();
            }
            boolean delivered = deliver(batch);
            lock.lock();
            try {
                inFlight = 0;
                if (!delivered) {
                    dropped.increment(batch.size());
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Sends until accepted; false only when the endpoint is being stopped. */
    private boolean deliver(List<Event> batch) {
        byte[] body = EventJson.envelope(batch);
        int failures = 0;
        while (!stopped) {
            if (failures >= cfg.threshold()) {
                if (failures == cfg.threshold()) {
                    LOG.warn("notifications: endpoint {} failed {} times in a row; retrying every {}", cfg.name(),
                            failures, GoDuration.format(cfg.backoff()));
                }
                if (!sleep(cfg.backoff())) {
                    return false;
                }
            }
            try {
                int status = post(body);
                if (status >= 200 && status < 400) { // distribution accepts any 2xx or 3xx
                    sent.increment(batch.size());
                    if (failures >= cfg.threshold()) {
                        LOG.info("notifications: endpoint {} accepts events again", cfg.name());
                    }
                    return true;
                }
                LOG.debug("notifications: endpoint {} answered {}", cfg.name(), status);
            } catch (IOException e) {
                LOG.debug("notifications: endpoint {}: {}", cfg.name(), e.toString());
            } catch (InterruptedException e) {
                return false;
            }
            failed.increment(batch.size());
            failures++;
        }
        return false;
    }

    private int post(byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder rq = HttpRequest.newBuilder(cfg.url()).timeout(cfg.timeout())
                .header("Content-Type", EventJson.MEDIA_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (Map.Entry<String, List<String>> h : cfg.headers().entrySet()) {
            for (String v : h.getValue()) {
                rq.header(h.getKey(), v);
            }
        }
        return client.send(rq.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private boolean sleep(Duration d) {
        lock.lock();
        try {
            long nanos = d.toNanos();
            while (nanos > 0 && !stopped) {
                nanos = changed.awaitNanos(nanos);
            }
            return !stopped;
        } catch (InterruptedException e) {
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops taking events and gives the queue until {@code deadline} (System.nanoTime) to drain;
     * what is left then is dropped and counted.
     */
    public void close(long deadline) {
        lock.lock();
        try {
            closing = true;
            changed.signalAll();
            while ((!queue.isEmpty() || inFlight > 0) && System.nanoTime() < deadline) {
                changed.awaitNanos(Math.max(1, deadline - System.nanoTime()));
            }
            int left = queue.size() + inFlight;
            if (left > 0) {
                LOG.warn("notifications: {} event(s) for endpoint {} not delivered before shutdown", left, cfg.name());
                dropped.increment(queue.size());
                queue.clear();
            }
            stopped = true;
            changed.signalAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
        } finally {
            lock.unlock();
        }
        sender.interrupt();
    }

    @Override
    public void close() {
        close(System.nanoTime());
    }
}
