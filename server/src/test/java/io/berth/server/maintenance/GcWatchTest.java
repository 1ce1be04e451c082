package io.berth.server.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.coordination.GcPresence;
import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.reference.RepositoryName;
import io.berth.core.registry.BlobDescriptorCache;
import io.berth.core.registry.Registry;
import io.berth.core.registry.Repository;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.storage.inmemory.InMemoryDriver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The blob descriptor cache answers only while the watch has just seen that no gc is running. */
class GcWatchTest {
    private final InMemoryDriver real = new InMemoryDriver();
    private final AtomicInteger stats = new AtomicInteger();
    private final AtomicBoolean failLooks = new AtomicBoolean();
    private StorageDriver driver;
    private BlobDescriptorCache cache;
    private Repository repo;
    private Digest blob;

    @BeforeEach
    void setUp() throws IOException {
        driver = (StorageDriver) Proxy.newProxyInstance(StorageDriver.class.getClassLoader(),
                new Class<?>[] {StorageDriver.class}, (proxy, method, args) -> {
                    boolean look = args != null && PathLayout.GC_RUNNING.equals(args[0]);
                    if (look && failLooks.get()) {
                        throw new IOException("backend unreachable");
                    }
                    if (!look && method.getName().startsWith("stat")) {
                        stats.incrementAndGet();
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        cache = new BlobDescriptorCache(100);
        repo = new Registry(driver, cache).repository(RepositoryName.of("watched/app"));
        byte[] content = "layer".getBytes(StandardCharsets.UTF_8);
        blob = Digest.sha256(content);
        String uuid = repo.uploads().start();
        repo.uploads().complete(uuid, blob, new ByteArrayInputStream(content), -1);
    }

    /** Backend stats one statBlob costs now: 0 when the cache answered. */
    private int statsOfOneLookUp() throws IOException {
        int before = stats.get();
        assertTrue(repo.statBlob(blob).isPresent());
        return stats.get() - before;
    }

    private void warm() throws IOException {
        repo.statBlob(blob);
    }

    @Test
    void theCacheAnswersOnlyBetweenLooksThatFoundNoGc() throws IOException {
        GcWatch watch = new GcWatch(driver, cache, false, Clock.systemUTC());
        cache.watch();
        warm();
        assertTrue(statsOfOneLookUp() > 0, "watched, but no look yet: nothing is trusted");

        watch.look();
        warm();
        assertEquals(0, statsOfOneLookUp(), "a look found no gc: cached");
        assertEquals(List.of(PathLayout.GC_CACHES + "/"), registrations().stream()
                .map(p -> p.substring(0, PathLayout.GC_CACHES.length() + 1)).toList(), "registered once");

        driver.putContent(PathLayout.GC_RUNNING, GcPresence.describe("berth gc", Clock.systemUTC().instant()));
        watch.look();
        assertTrue(statsOfOneLookUp() > 0, "a gc is running: the backend answers");
        assertTrue(statsOfOneLookUp() > 0, "and nothing is cached meanwhile");

        driver.delete(PathLayout.GC_RUNNING);
        watch.look();
        assertTrue(statsOfOneLookUp() > 0, "what was cached before the gc is gone");
        assertEquals(0, statsOfOneLookUp(), "and the cache works again");
    }

    @Test
    void trustLapsesWithoutLooksAndAFailedLookDropsIt() throws IOException {
        cache.watch();
        cache.confirm(System.nanoTime() - GcPresence.TRUST.toNanos() - 1);
        warm();
        assertTrue(statsOfOneLookUp() > 0, "a look older than the trust window counts for nothing");

        GcWatch watch = new GcWatch(driver, cache, false, Clock.systemUTC());
        watch.look();
        warm();
        assertEquals(0, statsOfOneLookUp());
        sleep(GcPresence.TRUST.toMillis() + 200); // no look meanwhile: a gc may have come and gone
        assertTrue(statsOfOneLookUp() > 0, "trust lapsed");
        watch.look();
        assertTrue(statsOfOneLookUp() > 0, "the next look drops what was cached before the lapse");
        assertEquals(0, statsOfOneLookUp());
        failLooks.set(true);
        watch.look();
        assertTrue(statsOfOneLookUp() > 0, "a look that failed cannot rule a gc out");
    }

    @Test
    void aMarkerLeftByAGcThatDiedLongAgoIsIgnored() throws IOException {
        driver.putContent(PathLayout.GC_RUNNING, "{}".getBytes(StandardCharsets.UTF_8));
        GcWatch watch = new GcWatch(driver, cache, false,
                Clock.offset(Clock.systemUTC(), GcPresence.STALE.plus(Duration.ofMinutes(1))));
        cache.watch();
        watch.look();
        warm();
        assertEquals(0, statsOfOneLookUp());
    }

    @Test
    void readOnlyRegistersNothingAndStartWithoutACacheDoesNothing() throws IOException {
        GcWatch readOnly = new GcWatch(driver, cache, true, Clock.systemUTC());
        cache.watch();
        readOnly.look();
        assertEquals(List.of(), registrations());
        warm();
        assertEquals(0, statsOfOneLookUp(), "still watching, and trusted");

        GcWatch none = new GcWatch(driver, BlobDescriptorCache.NONE, false, Clock.systemUTC());
        none.start();
        none.close();
        assertEquals(List.of(), registrations());
    }

    @Test
    void closeRemovesTheRegistration() throws IOException {
        GcWatch watch = new GcWatch(driver, cache, false, Clock.systemUTC());
        watch.start();
        for (int i = 0; i < 50 && registrations().isEmpty(); i++) {
            sleep(100);
        }
        assertEquals(1, registrations().size());
        watch.close();
        assertEquals(List.of(), registrations());
    }

    private List<String> registrations() throws IOException {
        try {
            return real.list(PathLayout.GC_CACHES);
        } catch (PathNotFoundException e) {
            return List.of();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
