package io.berth.gc;

import io.berth.core.coordination.GcPresence;
import io.berth.core.layout.PathLayout;
import io.berth.core.storage.FileInfo;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.gc.sweep.DeletionFence;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gc's side of {@link GcPresence}: the marker that tells serving registries to stop trusting their
 * caches, written before anything is deleted, rewritten every minute and removed at the end. It
 * doubles as a lock: a second gc on the same store refuses to start while the marker is alive.
 * As a {@link DeletionFence} it holds deletions back until registries have seen it. verify takes
 * it too before it moves corrupt blobs to quarantine: a move hides a blob just as a deletion does.
 */
public final class GcLease implements DeletionFence, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GcLease.class);

    private final StorageDriver driver;
    private final byte[] body;
    private final long deleteFromNanos;
    private final ScheduledExecutorService heartbeat;

    private GcLease(StorageDriver driver, byte[] body, long deleteFromNanos) {
        this.driver = driver;
        this.body = body;
        this.deleteFromNanos = deleteFromNanos;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gc-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long every = GcPresence.HEARTBEAT.toMillis();
        heartbeat.scheduleAtFixedRate(this::beat, every, every, TimeUnit.MILLISECONDS);
    }

    /** Writes the marker; fails if another gc's marker is alive. */
    static GcLease acquire(StorageDriver driver, Clock clock) throws IOException {
        return acquire(driver, clock, "berth gc");
    }

    /**
     * Like {@link #acquire(StorageDriver, Clock)} for another job ({@code who} goes into the
     * marker), waiting up to {@code patience} for a running gc to finish, looking every 5 seconds.
     */
    public static GcLease acquireWaiting(StorageDriver driver, Clock clock, String who, Duration patience)
            throws IOException {
        long until = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                return acquire(driver, clock, who);
            } catch (BusyException busy) {
                if (System.nanoTime() > until) {
                    throw busy;
                }
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted waiting for a gc to finish");
                }
            }
        }
    }

    /** Another gc's marker is alive. */
    static final class BusyException extends IOException {
        BusyException(String message) {
            super(message);
        }
    }

    private static GcLease acquire(StorageDriver driver, Clock clock, String who) throws IOException {
        Instant now = clock.instant();
        Optional<FileInfo> other = GcPresence.runningGc(driver, now);
        if (other.isPresent() && other.get().modTime().isAfter(now.minus(GcPresence.ALIVE))) {
            byte[] marker = markerOrNull(driver);
            if (marker != null && GcPresence.writerIsGone(marker)) {
                LOG.warn("gc: {} was left by a run on this machine that has stopped ({}); taking over",
                        PathLayout.GC_RUNNING, new String(marker, StandardCharsets.UTF_8));
            } else {
                throw new BusyException("another gc is running on this store: " + PathLayout.GC_RUNNING + " says "
                        + (marker == null ? "(unreadable)" : new String(marker, StandardCharsets.UTF_8))
                        + ", last written " + other.get().modTime() + " (a gc that died is ignored "
                        + GcPresence.ALIVE.toMinutes() + " minutes after that, or at once by a run on its machine)");
            }
        }
        byte[] body = GcPresence.describe(who, now);
        driver.putContent(PathLayout.GC_RUNNING, body);
        long written = System.nanoTime();
        boolean caching = false;
        for (FileInfo r : GcPresence.registrations(driver)) {
            if (r.modTime().isAfter(now.minus(GcPresence.STALE))) {
                caching = true;
            } else if (r.modTime().isBefore(now.minus(GcPresence.FORGOTTEN))) {
                forget(driver, r.path()); // a registry that stopped without removing it
            }
        }
        return new GcLease(driver, body, caching ? written + GcPresence.FENCE.toNanos() : written);
    }

    private static void forget(StorageDriver driver, String registration) {
        try {
            driver.delete(registration);
        } catch (IOException | RuntimeException e) {
            LOG.warn("gc: could not remove the old registration {}: {}", registration, e.toString());
        }
    }

    private static byte[] markerOrNull(StorageDriver driver) {
        try {
            return driver.getContent(PathLayout.GC_RUNNING);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private void beat() {
        try {
            driver.putContent(PathLayout.GC_RUNNING, body);
        } catch (IOException | RuntimeException e) {
            LOG.warn("gc: could not rewrite {}: {}", PathLayout.GC_RUNNING, e.toString());
        }
    }

    @Override
    public void await() throws IOException {
        long left = deleteFromNanos - System.nanoTime();
        if (left > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for registries to drop their caches");
            }
        }
    }

    /** Removes the marker, if it is still this run's. */
    @Override
    public void close() {
        heartbeat.shutdown(); // a rewrite under way finishes first: it must not bring the marker back
        try {
            heartbeat.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            byte[] now = driver.getContent(PathLayout.GC_RUNNING);
            if (Arrays.equals(now, body)) {
                driver.delete(PathLayout.GC_RUNNING);
            }
        } catch (PathNotFoundException gone) {
            // removed by hand
        } catch (IOException | RuntimeException e) {
            LOG.warn("gc: could not remove {}: {} (registries ignore it {} after its last rewrite)",
                    PathLayout.GC_RUNNING, e.toString(), GcPresence.STALE);
        }
    }
}
