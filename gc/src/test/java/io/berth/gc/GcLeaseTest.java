package io.berth.gc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.coordination.GcPresence;
import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.reference.RepositoryName;
import io.berth.core.registry.Registry;
import io.berth.core.registry.Repository;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.storage.inmemory.InMemoryDriver;
import io.berth.verify.ProblemKind;
import io.berth.verify.VerifyOptions;
import io.berth.verify.VerifyReport;
import io.berth.verify.Verifier;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** gc's marker for serving registries (GcPresence): written before any deletion, removed after, a lock between gcs. */
class GcLeaseTest {
    private static final GcOptions OPTS = GcOptions.defaults(2).withGracePeriod(Duration.ZERO);

    /** What the gc did to the store, in order, with the time and whether gc's marker was there. */
    record Call(String method, String path, long nanos, boolean markerPresent) {
    }

    private static StorageDriver recording(InMemoryDriver real, List<Call> calls) {
        return (StorageDriver) Proxy.newProxyInstance(StorageDriver.class.getClassLoader(),
                new Class<?>[] {StorageDriver.class}, (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.startsWith("delete") || name.equals("putContent") || name.equals("move")) {
                        boolean marker = exists(real, PathLayout.GC_RUNNING);
                        calls.add(new Call(name, args[0] instanceof String s ? s : String.valueOf(args[0]),
                                System.nanoTime(), marker));
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static boolean exists(StorageDriver d, String path) throws IOException {
        try {
            d.statFile(path);
            return true;
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    /** A store with one unreferenced layer: something for gc to delete. */
    private static Digest garbage(InMemoryDriver real) throws IOException {
        Repository repo = new Registry(real).repository(RepositoryName.of("lease/app"));
        Fixtures.image(repo, "kept", "v1", null);
        return Fixtures.blob(repo, "nobody uses me");
    }

    private static List<Call> deletions(List<Call> calls) {
        return calls.stream().filter(c -> c.method().startsWith("delete") && !c.path().equals(PathLayout.GC_RUNNING))
                .toList();
    }

    @Test
    void everyDeletionHappensWhileTheMarkerIsThereAndTheMarkerGoesAtTheEnd() throws IOException {
        InMemoryDriver real = new InMemoryDriver();
        Digest orphan = garbage(real);
        List<Call> calls = new CopyOnWriteArrayList<>();
        GcReport r = new GarbageCollector(recording(real, calls), OPTS).run();
        assertEquals(List.of(orphan.toString()), r.blobs().stream().map(b -> b.digest()).toList());
        assertEquals(PathLayout.GC_RUNNING, calls.get(0).path(), "the marker is the first write: " + calls);
        List<Call> deleted = deletions(calls);
        assertFalse(deleted.isEmpty());
        assertTrue(deleted.stream().allMatch(Call::markerPresent), calls.toString());
        assertFalse(exists(real, PathLayout.GC_RUNNING), "removed when the run ends");
    }

    @Test
    void withACachingRegistryRegisteredTheFirstDeletionWaitsForTheFence() throws IOException {
        InMemoryDriver real = new InMemoryDriver();
        garbage(real);
        real.putContent(PathLayout.gcCache("registry-1"), GcPresence.describe("berth serve", Clock.systemUTC().instant()));
        List<Call> calls = new CopyOnWriteArrayList<>();
        new GarbageCollector(recording(real, calls), OPTS).run();
        long marker = calls.get(0).nanos();
        long first = deletions(calls).get(0).nanos();
        assertTrue(first - marker >= GcPresence.FENCE.toNanos(),
                "first deletion " + Duration.ofNanos(first - marker) + " after the marker");
    }

    @Test
    void registrationsOfRegistriesLongGoneCauseNoWaitAndAreRemoved() throws IOException {
        InMemoryDriver real = new InMemoryDriver();
        garbage(real);
        String registration = PathLayout.gcCache("registry-gone");
        real.putContent(registration, GcPresence.describe("berth serve", Clock.systemUTC().instant()));
        List<Call> calls = new CopyOnWriteArrayList<>();
        Clock twoDaysOn = Clock.offset(Clock.systemUTC(), GcPresence.FORGOTTEN.plusDays(1));
        new GarbageCollector(recording(real, calls), OPTS).clock(twoDaysOn).run();
        long waited = deletions(calls).stream().filter(c -> !c.path().equals(registration)).findFirst()
                .orElseThrow().nanos() - calls.get(0).nanos();
        assertTrue(waited < GcPresence.FENCE.toNanos(), "waited " + Duration.ofNanos(waited));
        assertFalse(exists(real, registration));
    }

    @Test
    void aDryRunWritesNoMarker() throws IOException {
        InMemoryDriver real = new InMemoryDriver();
        garbage(real);
        List<Call> calls = new CopyOnWriteArrayList<>();
        new GarbageCollector(recording(real, calls), OPTS.withDryRun(true)).run();
        assertEquals(List.of(), calls);
    }

    @Test
    void aSecondGcRefusesWhileTheFirstIsAliveAndTakesOverFromADeadOne() throws IOException {
        InMemoryDriver real = new InMemoryDriver();
        Digest orphan = garbage(real);
        byte[] other = "{\"process\":\"berth gc\",\"host\":\"elsewhere\",\"pid\":1}".getBytes(StandardCharsets.UTF_8);
        real.putContent(PathLayout.GC_RUNNING, other);
        IOException e = assertThrows(IOException.class, () -> new GarbageCollector(real, OPTS).run());
        assertTrue(e.getMessage().contains("another gc is running") && e.getMessage().contains("elsewhere"),
                e.getMessage());
        assertTrue(exists(real, PathLayout.blobData(orphan)), "nothing deleted");
        assertTrue(exists(real, PathLayout.GC_RUNNING), "the other gc's marker stays");

        // the same marker seen from four minutes on: its gc stopped beating, so it died
        Clock later = Clock.offset(Clock.systemUTC(), GcPresence.ALIVE.plusMinutes(1));
        GcReport r = new GarbageCollector(real, OPTS).clock(later).run();
        assertEquals(1, r.blobs().size());
        assertFalse(exists(real, PathLayout.GC_RUNNING));
    }

    @Test
    void verifyMovesCorruptBlobsToQuarantineUnderTheMarkerAfterTheFence() throws IOException {
        InMemoryDriver real = new InMemoryDriver();
        Digest orphan = garbage(real);
        byte[] bytes = real.getContent(PathLayout.blobData(orphan));
        bytes[0] ^= 1;
        real.putContent(PathLayout.blobData(orphan), bytes);
        real.putContent(PathLayout.gcCache("registry-1"), GcPresence.describe("berth serve", Clock.systemUTC().instant()));
        List<Call> calls = new CopyOnWriteArrayList<>();
        VerifyReport r = Verifier.run(recording(real, calls), "mem", VerifyOptions.all(2).withQuarantine(true));

        assertEquals(List.of(ProblemKind.BLOB_DIGEST_MISMATCH), r.problems().stream().map(p -> p.kind()).toList());
        assertEquals(PathLayout.quarantineData(orphan, 0), r.problems().get(0).quarantinedTo());
        Call marker = calls.stream().filter(c -> c.path().equals(PathLayout.GC_RUNNING)).findFirst().orElseThrow();
        Call move = calls.stream().filter(c -> c.method().equals("move")).findFirst().orElseThrow();
        assertTrue(move.markerPresent(), calls.toString());
        assertTrue(move.nanos() - marker.nanos() >= GcPresence.FENCE.toNanos(),
                "moved " + Duration.ofNanos(move.nanos() - marker.nanos()) + " after the marker");
        assertArrayEquals(bytes, real.getContent(PathLayout.quarantineData(orphan, 0)), "moved byte for byte");
        assertFalse(exists(real, PathLayout.GC_RUNNING), "removed when the moves are done");
    }

    @Test
    void verifyWithoutCorruptionTakesNoLease() throws IOException {
        InMemoryDriver real = new InMemoryDriver();
        garbage(real);
        List<Call> calls = new CopyOnWriteArrayList<>();
        VerifyReport r = Verifier.run(recording(real, calls), "mem", VerifyOptions.all(2).withQuarantine(true));
        assertEquals(List.of(), r.problems());
        assertEquals(List.of(), calls, "a clean store is not locked against gc");
    }

    @Test
    void anotherJobWaitsForARunningGcAndGivesUpAfterItsPatience() throws Exception {
        InMemoryDriver real = new InMemoryDriver();
        byte[] gc = GcPresence.describe("berth gc", Clock.systemUTC().instant());
        real.putContent(PathLayout.GC_RUNNING, gc);
        IOException e = assertThrows(IOException.class,
                () -> GcLease.acquireWaiting(real, Clock.systemUTC(), "berth verify --quarantine", Duration.ZERO));
        assertTrue(e.getMessage().contains("another gc is running"), e.getMessage());

        Thread finisher = new Thread(() -> {
            try {
                Thread.sleep(1_000);
                real.delete(PathLayout.GC_RUNNING);
            } catch (Exception x) {
                throw new IllegalStateException(x);
            }
        });
        long t0 = System.nanoTime();
        finisher.start();
        try (GcLease lease = GcLease.acquireWaiting(real, Clock.systemUTC(), "berth verify --quarantine",
                Duration.ofMinutes(1))) {
            assertTrue(System.nanoTime() - t0 >= 1_000_000_000L, "took the lease only after the gc ended");
            assertTrue(new String(real.getContent(PathLayout.GC_RUNNING), StandardCharsets.UTF_8)
                    .contains("berth verify --quarantine"));
        }
        finisher.join();
        assertFalse(exists(real, PathLayout.GC_RUNNING));
    }
}
