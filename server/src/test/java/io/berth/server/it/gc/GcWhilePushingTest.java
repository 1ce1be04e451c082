package io.berth.server.it.gc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.coordination.GcPresence;
import io.berth.gc.GarbageCollector;
import io.berth.gc.GcOptions;
import io.berth.gc.GcReport;
import io.berth.server.it.BerthServer;
import io.berth.server.it.Http;
import io.berth.server.it.TestImages;
import io.berth.core.storage.StorageDriver;
import io.berth.storage.azure.AzureDriver;
import io.berth.storage.azure.AzuriteServer;
import io.berth.storage.filesystem.FilesystemDriver;
import io.berth.storage.s3.S3Driver;
import io.berth.storage.s3.S3TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * gc runs over and over, with {@code --delete-untagged} and a two-second grace period, while
 * three clients push images through the HTTP API: tags move (so older images become garbage
 * and are collected for real), every image shares a base layer that is re-uploaded or mounted
 * from another repository (so its blob's file is old while its links are new), and indexes over
 * untagged children are pushed. Every push must succeed, and afterwards every tag must pull
 * complete, every blob hashing to its digest, as must every manifest left in the store. Once more
 * with the registry's descriptor cache on (and its GcWatch), where clients HEAD each blob first and
 * skip what the registry says it has, as docker does; that gc's deletions do not outlive in the
 * cache is shown deterministically by GcWithCachingRegistryTest. And once on S3 (S3Mock), with
 * the cache on, and likewise on s3proxy and Azurite.
 */
class GcWhilePushingTest {
    private static final Duration PUSHING = Duration.ofSeconds(15);
    private static final byte[] BASE = TestImages.randomBytes(40_000, 99);

    @TempDir
    Path root;

    /** What a tag should give: a manifest and, for its blobs and children, their content. */
    record Pushed(String repo, String tag, String digest, byte[] manifest, Map<String, byte[]> blobs,
                  List<Pushed> children) {
    }

    /**
     * A new driver over the test's store each call (the server and gc each get their own, as two
     * processes would): the filesystem root, or a fresh bucket or container, where gc's re-checks take a
     * fresh listing instead of a stat per file ({@code walksCheaply()}).
     */
    private Supplier<StorageDriver> store(String backend) throws Exception {
        if (backend.equals("filesystem")) {
            return () -> new FilesystemDriver(root);
        }
        if (backend.equals("azurite")) {
            AzuriteServer azurite = AzuriteServer.shared();
            Map<String, Object> params = new HashMap<>(azurite.parameters(azurite.newContainer()));
            params.put("rootdirectory", "/gc-load");
            return () -> AzureDriver.fromParameters(params);
        }
        S3TestServer s3 = S3TestServer.shared(backend.equals("s3proxy") ? S3TestServer.Kind.S3PROXY : S3TestServer.Kind.S3MOCK);
        Map<String, Object> params = new HashMap<>(s3.driverParameters(s3.createBucket(), "/gc-load"));
        params.put("forcepathstyle", true);
        return () -> S3Driver.fromParameters(params);
    }

    @ParameterizedTest(name = "{0}, descriptor cache {1}")
    @CsvSource({"filesystem, false", "filesystem, true", "s3mock, true", "s3proxy, true", "azurite, true"})
    void everyImagePushedWhileGcRunsIsComplete(String backend, boolean cached) throws Exception {
        Supplier<StorageDriver> store = store(backend);
        Map<String, Pushed> current = new ConcurrentHashMap<>(); // repo:tag -> last push
        List<String> errors = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong pushes = new AtomicLong();
        List<GcReport> reports = new CopyOnWriteArrayList<>();
        GcOptions opts = GcOptions.defaults(2).withDeleteUntagged(true).withGracePeriod(Duration.ofSeconds(2))
                .withUploadMaxAge(Duration.ofSeconds(2)).withPruneEmptyRepositories(true);
        // with a caching registry registered, each gc first waits GcPresence.FENCE: push longer
        Duration pushing = cached ? PUSHING.plus(GcPresence.FENCE.multipliedBy(3)) : PUSHING;
        try (BerthServer berth = BerthServer.start(store.get(), cached)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int client = t;
                tasks.add(pool.submit(() -> {
                    SplittableRandom rnd = new SplittableRandom(client);
                    String repo = "load/client" + client;
                    for (int i = 0; !stop.get(); i++) {
                        try {
                            Pushed p = pushImage(berth.url(), repo, "t" + (i % 3), rnd, client, i, cached);
                            current.put(repo + ":" + p.tag(), p);
                            if (i % 4 == 3) {
                                Pushed a = pushImage(berth.url(), repo, null, rnd, client, i * 1000 + 1, cached);
                                Pushed b = pushImage(berth.url(), repo, null, rnd, client, i * 1000 + 2, cached);
                                current.put(repo + ":multi", pushIndex(berth.url(), repo, "multi", a, b));
                            }
                            pushes.incrementAndGet();
                        } catch (AssertionError | RuntimeException e) {
                            errors.add(repo + " push " + i + ": " + e.getMessage());
                            return;
                        }
                    }
                }));
            }
            tasks.add(pool.submit(() -> {
                try (StorageDriver driver = store.get()) {
                    while (!stop.get()) {
                        reports.add(new GarbageCollector(driver, opts).run());
                    }
                } catch (Exception e) {
                    errors.add("gc: " + e);
                }
            }));
            Thread.sleep(pushing.toMillis());
            stop.set(true);
            for (Future<?> f : tasks) {
                f.get();
            }
            pool.shutdown();
            assertEquals(List.of(), errors);
            assertTrue(reports.size() >= 3, "gc ran " + reports.size() + " times");
            long manifestsDeleted = reports.stream().mapToLong(r -> r.totals().manifests()).sum();
            long blobsDeleted = reports.stream().mapToLong(r -> r.totals().blobs()).sum();
            assertTrue(manifestsDeleted > 0 && blobsDeleted > 0, "gc collected real garbage while pushes ran: "
                    + manifestsDeleted + " manifests, " + blobsDeleted + " blobs in " + reports.size() + " runs, "
                    + pushes + " pushes");
            reports.forEach(r -> assertEquals(List.of(), r.failures()));
            verifyAll(berth.url(), current);

            // and once more with no grace at all now that the pushes are over
            try (StorageDriver driver = store.get()) {
                new GarbageCollector(driver, opts.withGracePeriod(Duration.ZERO)).run();
            }
            verifyAll(berth.url(), current);
        }
    }

    private static void verifyAll(String url, Map<String, Pushed> current) {
        for (Pushed p : current.values()) {
            verify(url, p);
        }
        // every manifest still in the store is complete too (children and blobs of kept indexes)
        for (Pushed p : current.values()) {
            for (Pushed c : p.children()) {
                verify(url, c);
            }
        }
    }

    private static void verify(String url, Pushed p) {
        String ref = p.tag() == null ? p.digest() : p.tag();
        Http.Response m = Http.get(url + "/v2/" + p.repo() + "/manifests/" + ref,
                "Accept", TestImages.OCI_MANIFEST + ", " + TestImages.OCI_INDEX);
        assertEquals(200, m.status(), p.repo() + ":" + ref + " " + m);
        assertArrayEquals(p.manifest(), m.body(), p.repo() + ":" + ref);
        for (Map.Entry<String, byte[]> b : p.blobs().entrySet()) {
            Http.Response r = Http.get(url + "/v2/" + p.repo() + "/blobs/" + b.getKey());
            assertEquals(200, r.status(), p.repo() + " blob " + b.getKey() + " of " + ref + " " + r);
            assertArrayEquals(b.getValue(), r.body());
        }
    }

    /** {@code headFirst}: skip an upload when the repository says it has the blob, as clients do. */
    private static String pushBlob(String url, String repo, byte[] content, boolean headFirst) {
        if (headFirst) {
            String digest = TestImages.sha256(content);
            if (Http.head(url + "/v2/" + repo + "/blobs/" + digest).status() == 200) {
                return digest;
            }
        }
        return GcStores.pushBlob(url, repo, content);
    }

    private static Pushed pushImage(String url, String repo, String tag, SplittableRandom rnd, int client, int i,
                                    boolean headFirst) {
        byte[] cfg = ("{\"client\":" + client + ",\"n\":" + i + ",\"r\":" + rnd.nextLong() + "}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = TestImages.randomBytes(2_000 + rnd.nextInt(30_000), rnd.nextLong());
        String base = TestImages.sha256(BASE);
        if (i % 2 == 1) { // a mount from another client's repository, as docker does for shared layers
            String from = "load/client" + ((client + 1) % 3);
            Http.Response mount = Http.post(url + "/v2/" + repo + "/blobs/uploads/?mount=" + base + "&from=" + from,
                    new byte[0]);
            if (mount.status() != 201) {
                pushBlob(url, repo, BASE, headFirst);
            }
        } else {
            pushBlob(url, repo, BASE, headFirst);
        }
        String c = pushBlob(url, repo, cfg, headFirst);
        String l = pushBlob(url, repo, layer, headFirst);
        String body = "{\"schemaVersion\":2,\"mediaType\":\"" + TestImages.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + TestImages.OCI_CONFIG + "\",\"digest\":\"" + c + "\",\"size\":" + cfg.length + "},\"layers\":["
                + "{\"mediaType\":\"" + TestImages.OCI_LAYER_GZIP + "\",\"digest\":\"" + base + "\",\"size\":" + BASE.length + "},"
                + "{\"mediaType\":\"" + TestImages.OCI_LAYER_GZIP + "\",\"digest\":\"" + l + "\",\"size\":" + layer.length + "}]}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String d = GcStores.pushManifest(url, repo, tag, TestImages.OCI_MANIFEST, bytes);
        return new Pushed(repo, tag, d, bytes, Map.of(base, BASE, c, cfg, l, layer), List.of());
    }

    private static Pushed pushIndex(String url, String repo, String tag, Pushed a, Pushed b) {
        String body = "{\"schemaVersion\":2,\"mediaType\":\"" + TestImages.OCI_INDEX + "\",\"manifests\":["
                + "{\"mediaType\":\"" + TestImages.OCI_MANIFEST + "\",\"digest\":\"" + a.digest() + "\",\"size\":"
                + a.manifest().length + "},{\"mediaType\":\"" + TestImages.OCI_MANIFEST + "\",\"digest\":\"" + b.digest()
                + "\",\"size\":" + b.manifest().length + "}]}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String d = GcStores.pushManifest(url, repo, tag, TestImages.OCI_INDEX, bytes);
        return new Pushed(repo, tag, d, bytes, Map.of(), List.of(a, b));
    }
}
