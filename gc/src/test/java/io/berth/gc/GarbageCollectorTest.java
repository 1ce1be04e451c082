package io.berth.gc;

import static io.berth.gc.Fixtures.blob;
import static io.berth.gc.Fixtures.image;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.reference.RepositoryName;
import io.berth.core.registry.Registry;
import io.berth.core.registry.Repository;
import io.berth.core.storage.StorageDriver;
import io.berth.core.storage.WalkVisitor;
import io.berth.storage.filesystem.FilesystemDriver;
import io.berth.storage.inmemory.InMemoryDriver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GarbageCollectorTest {
    /** Runs two hours in the future, so everything written by the test is past the one-hour grace period. */
    static final Clock LATER = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
    static final GcOptions OPTS = GcOptions.defaults(4).withUploadMaxAge(Duration.ofHours(1));

    @TempDir
    Path dir;

    StorageDriver driver(String kind) {
        return kind.equals("filesystem") ? new FilesystemDriver(dir) : new InMemoryDriver();
    }

    /** What the scenario pushed, for the assertions. */
    record Scenario(Fixtures.Img img1, Fixtures.Img img2, Fixtures.Img img3, Fixtures.Img img4, Fixtures.Img a,
                    Fixtures.Img b, Digest index, Fixtures.Img sig, Digest schema1, Digest s1layer, Digest shared,
                    Digest dangling, Digest cross, Fixtures.Img other, Fixtures.Img gone, Digest lonely, String upload) {
    }

    static Scenario push(Registry reg) throws IOException {
        Repository app = reg.repository(RepositoryName.of("acme/app"));
        Repository other = reg.repository(RepositoryName.of("acme/other"));
        Repository parent = reg.repository(RepositoryName.of("acme"));
        Fixtures.Img img1 = image(app, "1", "v1", null, "shared");
        Fixtures.Img img2 = image(app, "2", null, null, "shared");
        Fixtures.Img img3 = image(app, "3", "old", null);
        Fixtures.Img img4 = image(app, "4", "old", null); // moves "old": img3 is untagged, still in old's index
        Fixtures.Img a = image(app, "a", null, null);
        Fixtures.Img b = image(app, "b", null, null);
        Digest index = Fixtures.index(app, "multi", a.manifest(), b.manifest());
        Fixtures.Img sig = image(app, "sig", null, index);
        Digest s1layer = blob(app, "schema1-layer");
        Digest schema1 = Fixtures.schema1(app, "legacy", s1layer);
        Digest dangling = blob(app, "uploaded but never used");
        Fixtures.Img otherImg = image(other, "o", "latest", null, "cross-only");
        Digest cross = otherImg.layers().get(0);
        app.linkBlob(cross); // linked in app, used only by acme/other's manifest
        Fixtures.Img gone = image(parent, "gone", "x", null);
        parent.manifests().delete(gone.manifest());
        byte[] lonelyBytes = "no link anywhere".getBytes(StandardCharsets.UTF_8);
        Digest lonely = Digest.sha256(lonelyBytes);
        reg.blobs().putVerified(lonely, lonelyBytes);
        String upload = app.uploads().start();
        return new Scenario(img1, img2, img3, img4, a, b, index, sig, schema1, s1layer, img1.layers().get(0),
                dangling, cross, otherImg, gone, lonely, upload);
    }

    static Set<String> files(StorageDriver d) throws IOException {
        Set<String> out = new TreeSet<>();
        d.walk("/", f -> {
            if (!f.isDirectory()) {
                out.add(f.path());
            }
            return WalkVisitor.Result.CONTINUE;
        });
        return out;
    }

    static Set<String> strings(Set<Digest> s) {
        return s.stream().map(Digest::toString).collect(Collectors.toCollection(TreeSet::new));
    }

    static Set<String> blobsDeleted(GcReport r) {
        return r.blobs().stream().map(GcReport.BlobResult::digest).collect(Collectors.toCollection(TreeSet::new));
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "inmemory"})
    void keepsEveryRevisionAndDeletesUnreferencedBlobsLinksAndOldUploads(String kind) throws IOException {
        plainScenario(driver(kind));
    }

    static void plainScenario(StorageDriver drv) throws IOException {
        Registry reg = new Registry(drv);
        Scenario s = push(reg);
        GcReport r = new GarbageCollector(drv, OPTS).clock(LATER).run();

        Set<Digest> expectedBlobs = new TreeSet<>(s.gone().blobs());
        expectedBlobs.add(s.dangling());
        expectedBlobs.add(s.lonely());
        assertEquals(strings(expectedBlobs), blobsDeleted(r));
        for (Digest d : expectedBlobs) {
            assertFalse(exists(drv, PathLayout.blobData(d)), d.toString());
        }
        GcReport.RepositoryResult app = r.repositories().get("acme/app");
        assertEquals(List.of(), app.manifests());
        assertEquals(strings(Set.of(s.dangling(), s.cross())), new TreeSet<>(app.layerLinks()));
        assertEquals(List.of(s.upload()), app.uploads());
        assertEquals(strings(Set.of(s.gone().config(), s.gone().layers().get(0))),
                new TreeSet<>(r.repositories().get("acme").layerLinks()));
        assertFalse(r.repositories().containsKey("acme/other"));
        assertFalse(r.repositories().get("acme").pruned(), "pruning is off by default");
        // the blob only acme/other's manifest uses stays, as do the untagged image, index children and referrer
        for (Fixtures.Img i : List.of(s.img1(), s.img2(), s.img3(), s.img4(), s.a(), s.b(), s.sig(), s.other())) {
            for (Digest d : i.blobs()) {
                assertTrue(exists(drv, PathLayout.blobData(d)), d.toString());
            }
        }
        assertTrue(exists(drv, PathLayout.blobData(s.s1layer())), "schema1 fsLayers are marked");
        assertTrue(exists(drv, PathLayout.layerLink(RepositoryName.of("acme/app"), s.s1layer())));
        assertTrue(exists(drv, PathLayout.blobData(s.cross())));
        assertEquals(3, r.totals().repositories());
        assertTrue(r.failures().isEmpty(), r.failures().toString());

        GcReport again = new GarbageCollector(drv, OPTS).clock(LATER).run();
        assertTrue(again.blobs().isEmpty() && again.repositories().isEmpty(), "a second run finds nothing: " + again);
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "inmemory"})
    void deleteUntaggedKeepsIndexChildrenAndReferrersAndPrunesEmptyRepositories(String kind) throws IOException {
        deleteUntaggedScenario(driver(kind));
    }

    static void deleteUntaggedScenario(StorageDriver drv) throws IOException {
        Registry reg = new Registry(drv);
        Scenario s = push(reg);
        GcOptions opts = OPTS.withDeleteUntagged(true).withPruneEmptyRepositories(true);

        Set<String> before = files(drv);
        GcReport dry = new GarbageCollector(drv, opts.withDryRun(true)).clock(LATER).run();
        assertEquals(before, files(drv), "a dry run changes nothing");
        GcReport r = new GarbageCollector(drv, opts).clock(LATER).run();
        assertEquals(r.repositories(), dry.repositories(), "the dry run announced exactly what the run deleted");
        assertEquals(r.blobs(), dry.blobs());
        assertTrue(dry.dryRun() && !r.dryRun());

        GcReport.RepositoryResult app = r.repositories().get("acme/app");
        assertEquals(strings(Set.of(s.img2().manifest(), s.img3().manifest())), new TreeSet<>(app.manifests()));
        assertEquals(List.of("old@" + s.img3().manifest()), app.tagIndexEntries());
        Set<Digest> unusedNow = new TreeSet<>(s.img2().blobs());
        unusedNow.addAll(s.img3().blobs());
        unusedNow.remove(s.shared());
        Set<Digest> expectedBlobs = new TreeSet<>(unusedNow);
        expectedBlobs.addAll(s.gone().blobs());
        expectedBlobs.add(s.dangling());
        expectedBlobs.add(s.lonely());
        assertEquals(strings(expectedBlobs), blobsDeleted(r));
        RepositoryName appName = RepositoryName.of("acme/app");
        assertFalse(exists(drv, PathLayout.revisionLink(appName, s.img2().manifest())));
        assertFalse(exists(drv, PathLayout.tagIndexLink(appName, io.berth.core.reference.Tag.of("old"),
                s.img3().manifest())));
        assertTrue(exists(drv, PathLayout.tagIndexLink(appName, io.berth.core.reference.Tag.of("old"),
                s.img4().manifest())));
        // index children and the referrer of the index are untagged but kept, with their blobs and links
        for (Fixtures.Img i : List.of(s.a(), s.b(), s.sig())) {
            assertTrue(exists(drv, PathLayout.revisionLink(appName, i.manifest())), i.toString());
            for (Digest d : i.blobs()) {
                assertTrue(exists(drv, PathLayout.blobData(d)), d.toString());
            }
            assertTrue(exists(drv, PathLayout.layerLink(appName, i.config())));
        }
        assertTrue(exists(drv, PathLayout.blobData(s.shared())), "still used by img1");
        assertTrue(exists(drv, PathLayout.revisionLink(appName, s.schema1())));

        assertTrue(r.repositories().get("acme").pruned());
        assertEquals(1, r.totals().repositoriesPruned());
        assertFalse(exists(drv, PathLayout.manifestsDir(RepositoryName.of("acme")) + "/tags/x/index/sha256/"
                + s.gone().manifest().hex() + "/link"));
        assertEquals(List.of("acme/app", "acme/other"),
                reg.catalog(null, 100).stream().map(RepositoryName::value).toList(),
                "the pruned parent is gone from the catalog, its nested repositories are not");
        assertTrue(reg.repository(appName).manifests().get(s.index()).isPresent());
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "inmemory"})
    void nothingYoungerThanTheGracePeriodIsDeleted(String kind) throws IOException {
        StorageDriver drv = driver(kind);
        push(new Registry(drv));
        Set<String> before = files(drv);
        GcReport r = new GarbageCollector(drv, OPTS.withDeleteUntagged(true).withPruneEmptyRepositories(true)
                .withUploadMaxAge(Duration.ZERO)).run();
        assertEquals(before, files(drv));
        assertTrue(r.blobs().isEmpty() && r.repositories().isEmpty(), r.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "inmemory"})
    void aLinkYoungerThanTheGracePeriodProtectsItsOldBlob(String kind) throws IOException {
        StorageDriver drv = driver(kind);
        Registry reg = new Registry(drv);
        Repository app = reg.repository(RepositoryName.of("team/app"));
        Digest d = blob(app, "mounted while gc runs");
        // the blob is old, its new link (a mount or a re-upload of the same bytes) is young
        Clock soon = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(30));
        GcReport r = new GarbageCollector(drv, GcOptions.defaults(2).withGracePeriod(Duration.ofMinutes(40)))
                .clock(soon).run();
        assertTrue(r.blobs().isEmpty(), r.toString());
        assertTrue(exists(drv, PathLayout.blobData(d)));
        GcReport later = new GarbageCollector(drv, GcOptions.defaults(2).withGracePeriod(Duration.ofMinutes(20)))
                .clock(soon).run();
        assertEquals(Set.of(d.toString()), blobsDeleted(later));
    }

    /**
     * An old blob no manifest uses, linked into a repository after the mark walked it (a mount,
     * or an upload of the same bytes, which leaves the old blob file as it is): the re-check
     * finds the young link and keeps the blob. On the filesystem the walks do not stat layer
     * links, so this is the re-check's stat of each link whose blob is unmarked.
     */
    @org.junit.jupiter.api.Test
    void aLayerMountedDuringTheRunKeepsItsOldBlob() throws IOException {
        StorageDriver base = driver("filesystem");
        Registry reg = new Registry(base);
        Repository src = reg.repository(RepositoryName.of("team/src"));
        Repository dst = reg.repository(RepositoryName.of("team/dst"));
        Digest mounted = blob(src, "unused, then mounted");
        Digest unused = blob(src, "unused, and stays so");
        Fixtures.Img img = image(dst, "1", "v1", null);
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(Duration.ofHours(3)));
        try (var all = java.nio.file.Files.walk(dir)) {
            for (Path p : all.toList()) {
                java.nio.file.Files.setLastModifiedTime(p, old);
            }
        }
        // the blob phase lists blobs/ after every repository was marked and swept
        RacingDriver racing = new RacingDriver(base, false).beforeList("/blobs/sha256", () -> dst.linkBlob(mounted));
        GcReport r = new GarbageCollector(racing, GcOptions.defaults(2)).run();
        assertTrue(racing.fired(), "the mount ran during the run");
        assertTrue(exists(base, PathLayout.blobData(mounted)), r.toString());
        assertTrue(exists(base, PathLayout.layerLink(dst.name(), mounted)), r.toString());
        assertFalse(exists(base, PathLayout.layerLink(src.name(), mounted)), "the old unused link went: " + r);
        assertEquals(Set.of(unused.toString()), blobsDeleted(r));
        for (Digest d : List.of(img.manifest(), img.config(), img.layers().get(0))) {
            assertTrue(exists(base, PathLayout.blobData(d)), d + " kept: " + r);
        }
    }

    /**
     * A tag moved back to an untagged manifest between the mark and the sweep of its repository:
     * the second look (a stat per file, or a fresh listing where walking is cheap) sees it and
     * the manifest and its blobs survive, where the plan made before the move would delete them.
     */
    @ParameterizedTest
    @ValueSource(strings = {"filesystem:stat", "filesystem:listing", "inmemory:stat", "inmemory:listing"})
    void aTagMovedBeforeTheSweepKeepsItsManifest(String variant) throws IOException {
        String[] v = variant.split(":");
        StorageDriver base = driver(v[0]);
        Registry reg = new Registry(base);
        Repository app = reg.repository(RepositoryName.of("team/app"));
        Fixtures.Img img3 = image(app, "3", "old", null);
        Fixtures.Img img4 = image(app, "4", "old", null); // img3 is untagged now
        boolean listing = v[1].equals("listing");
        // the second look: a walk of the repository (listing) or of its _manifests (stat)
        RacingDriver racing = new RacingDriver(base, listing).before(listing ? "/team/app" : "/team/app/_manifests",
                () -> app.tags().tag(io.berth.core.reference.Tag.of("old"), img3.manifest()));
        GcReport r = new GarbageCollector(racing, OPTS.withDeleteUntagged(true)).clock(LATER).run();
        assertTrue(racing.fired(), "the change ran before the second look");
        assertTrue(exists(base, PathLayout.revisionLink(app.name(), img3.manifest())), r.toString());
        for (Digest d : List.of(img3.manifest(), img3.config(), img3.layers().get(0))) {
            assertTrue(exists(base, PathLayout.blobData(d)), d + " kept: " + r);
        }
        // img4 lost its tag in the move: the re-plan deletes it, as a run after the move would
        assertFalse(exists(base, PathLayout.revisionLink(app.name(), img4.manifest())), r.toString());
    }

    /**
     * With a caching registry registered, gc holds its first deletion back for
     * {@link io.berth.core.coordination.GcPresence#FENCE}. A push made while it waits (a manifest
     * over layers the repository already links, so the client uploads nothing and the links stay
     * old) must be seen by the second look, which therefore comes after the wait: looked at before
     * it, the links were planned as unused and deleted under the new manifest (found on S3 by
     * GcWhilePushingTest: MANIFEST_BLOB_UNKNOWN for a layer the registry had just answered 200 for).
     */
    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "inmemory"})
    void aPushWhileTheFenceHoldsDeletionsBackIsSeenByTheSecondLook(String kind) throws Exception {
        StorageDriver base = driver(kind);
        Registry reg = new Registry(base);
        Repository app = reg.repository(RepositoryName.of("team/app"));
        image(app, "1", "v1", null);
        Digest config = blob(app, "{\"config\":\"not used yet\"}");
        Digest layer = blob(app, "a layer not used yet");
        base.putContent(PathLayout.gcCache("registry-1"),
                io.berth.core.coordination.GcPresence.describe("berth serve", Clock.systemUTC().instant()));
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + config
                + "\",\"size\":27},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\""
                + layer + "\",\"size\":20}]}";
        Thread push = new Thread(() -> {
            try {
                Thread.sleep(2_000); // the plan is made at once; the fence holds deletions for 6 s
                app.manifests().put(manifest.getBytes(StandardCharsets.UTF_8),
                        "application/vnd.oci.image.manifest.v1+json", io.berth.core.reference.Reference.parse("v2"), List.of());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(1_100); // the links are older than the cutoff (grace 0), as ones pushed long ago are
        push.start();
        long t0 = System.nanoTime();
        GcReport r = new GarbageCollector(base, OPTS.withGracePeriod(Duration.ZERO)).run();
        push.join();
        assertTrue(System.nanoTime() - t0 >= io.berth.core.coordination.GcPresence.FENCE.toNanos() - 500_000_000L,
                "the fence held the run back");
        for (Digest d : List.of(config, layer)) {
            assertTrue(exists(base, PathLayout.layerLink(app.name(), d)), d + " link kept: " + r);
            assertTrue(exists(base, PathLayout.blobData(d)), d + " kept: " + r);
        }
        assertEquals(List.of(), r.failures());
    }

    static boolean exists(StorageDriver d, String path) throws IOException {
        try {
            d.stat(path);
            return true;
        } catch (io.berth.core.storage.PathNotFoundException e) {
            return false;
        }
    }
}
