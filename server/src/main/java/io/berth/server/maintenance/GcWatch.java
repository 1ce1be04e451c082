package io.berth.server.maintenance;

import io.berth.core.coordination.GcPresence;
import io.berth.core.layout.PathLayout;
import io.berth.core.registry.BlobDescriptorCache;
import io.berth.core.storage.FileInfo;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the blob descriptor cache true while a {@code berth gc} runs on the same store (the
 * protocol is {@link GcPresence}'s): registers this registry so gc waits for it, looks for gc's
 * marker every second, and lets the cache answer only shortly after a look that found none.
 * Without a cache it does nothing. In read-only mode it writes no registration (that mode
 * promises no writes, and takes no pushes that a stale answer could break); it still looks.
 */
public final class GcWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GcWatch.class);

    private final StorageDriver driver;
    private final BlobDescriptorCache cache;
    private final boolean register;
    private final Clock clock;
    private final String id = UUID.randomUUID().toString();
    private ScheduledExecutorService timer;
    private boolean registered;
    private long registeredAt;
    private String state = "";

    public GcWatch(StorageDriver driver, BlobDescriptorCache cache, boolean readOnly, Clock clock) {
        this.driver = driver;
        this.cache = cache;
        this.register = !readOnly;
        this.clock = clock;
    }

    public void start() {
        if (!cache.enabled()) {
            return;
        }
        cache.watch();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "berth-gc-watch");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::look, 0, GcPresence.POLL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One look; the cache is trusted only when it found no gc and the registration is current. */
    void look() {
        long started = System.nanoTime();
        try {
            if (register && (!registered || started - registeredAt >= GcPresence.HEARTBEAT.toNanos())) {
                driver.putContent(PathLayout.gcCache(id), GcPresence.describe("berth serve", clock.instant()));
                registered = true;
                registeredAt = started;
            }
            Optional<FileInfo> gc = GcPresence.runningGc(driver, clock.instant());
            if (gc.isPresent()) {
                cache.distrust();
                report("gc", "a gc is running on this store ({} written {}): the blob descriptor cache is off until it ends",
                        PathLayout.GC_RUNNING, gc.get().modTime());
            } else {
                cache.confirm(started);
                report("ok", "no gc is running: the blob descriptor cache is on", null, null);
            }
        } catch (IOException | RuntimeException e) {
            cache.distrust();
            report("failed", "cannot tell whether a gc is running ({}): the blob descriptor cache is off until it can",
                    e.toString(), null);
        }
    }

    /** Logs changes of state only: a look runs every second. */
    private void report(String now, String message, Object a, Object b) {
        if (!now.equals(state)) {
            if (now.equals("failed")) {
                LOG.warn(message, a, b);
            } else if (!state.isEmpty() || !now.equals("ok")) {
                LOG.info(message, a, b);
            }
            state = now;
        }
    }

    @Override
    public void close() {
        if (timer == null) {
            return;
        }
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (registered) {
            try {
                driver.delete(PathLayout.gcCache(id));
            } catch (PathNotFoundException gone) {
                // removed by hand
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not remove {}: {}", PathLayout.gcCache(id), e.toString());
            }
        }
    }
}
