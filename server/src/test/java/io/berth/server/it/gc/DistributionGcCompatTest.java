package io.berth.server.it.gc;

import static io.berth.server.it.gc.GcStores.blobPath;
import static io.berth.server.it.gc.GcStores.files;
import static io.berth.server.it.gc.GcStores.minus;
import static io.berth.server.it.gc.GcStores.revisionPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.cli.Main;
import io.berth.server.it.BerthServer;
import io.berth.server.it.DistributionRegistry;
import io.berth.server.it.Http;
import io.berth.server.it.Skopeo;
import io.berth.server.it.StorageChecks;
import io.berth.server.it.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One store written by distribution 2.8 (Debian docker-registry) and pushed to by skopeo, then
 * edited through distribution's API (a manifest deleted by digest, which removes its tag, and a tag
 * moved to another image). Copies of
 * it are collected by {@code docker-registry garbage-collect} and by {@code berth gc}, with and
 * without {@code --delete-untagged}, and the files each deleted are compared. The differences
 * are asserted one by one:
 * <ul>
 * <li>distribution 2.8 never deletes layer links; Berth deletes those no remaining manifest of
 *     their repository references (checked against the test's own reading of the manifests);</li>
 * <li>with {@code --delete-untagged}, distribution deletes the revisions of a tagged index's
 *     children and their configs and layers (the index then cannot be pulled: shown), and an
 *     untagged referrer of a tagged image; Berth keeps both.</li>
 * </ul>
 */
class DistributionGcCompatTest {
    private static final String APP = "gc/app";
    private static final String MULTI = "gc/multi";
    private static final String DOCKER = "gc/nested/docker";
    private static final String COPY = "gc/copy";
    private static final String GONE = "gc/gone";

    @TempDir
    static Path tmp;
    static Path store;
    static TestImages.Image imgA;
    static TestImages.Image imgB;
    static TestImages.Image imgD;
    static TestImages.Image imgE;
    static TestImages.Index multi;
    static String referrer;
    static List<String> referrerBlobs;

    @BeforeAll
    static void buildStore() throws IOException {
        imgA = TestImages.multiLayer(tmp.resolve("a"), "v1", 4101, 3, 300_000);
        imgB = TestImages.multiLayer(tmp.resolve("b"), "v1", 4102, 2, 200_000);
        TestImages.Image imgC = TestImages.multiLayer(tmp.resolve("c"), "v1", 4103, 2, 200_000);
        imgD = TestImages.multiLayer(tmp.resolve("d"), "v1", 4104, 2, 200_000);
        imgE = TestImages.multiLayer(tmp.resolve("e"), "v1", 4105, 2, 200_000);
        multi = TestImages.multiPlatform(tmp.resolve("multi"), "multi", 4106);
        store = tmp.resolve("store");
        try (DistributionRegistry dist = DistributionRegistry.start(store, tmp.resolve("dist-work"))) {
            String h = dist.hostPort();
            Skopeo.copy(imgA.ociRef(), Skopeo.docker(h, APP + ":v1"));
            Skopeo.copy(imgA.ociRef(), Skopeo.docker(h, APP + ":latest"));
            Skopeo.copy(imgB.ociRef(), Skopeo.docker(h, APP + ":v2"));
            Skopeo.copy(imgB.ociRef(), Skopeo.docker(h, COPY + ":v1")); // same blobs in a second repository
            Skopeo.copyAll(multi.ociRef(), Skopeo.docker(h, MULTI + ":multi"));
            Skopeo.copyV2s2(imgC.ociRef(), Skopeo.docker(h, DOCKER + ":v1"));
            Skopeo.copy(imgD.ociRef(), Skopeo.docker(h, GONE + ":v1"));
            // an untagged artifact whose subject is imgA
            String cfg = GcStores.pushBlob(dist.url(), APP, "{\"artifact\":\"signature\"}".getBytes(StandardCharsets.UTF_8));
            String sig = GcStores.pushBlob(dist.url(), APP, "signature bytes".getBytes(StandardCharsets.UTF_8));
            referrerBlobs = List.of(cfg, sig);
            String body = "{\"schemaVersion\":2,\"mediaType\":\"" + TestImages.OCI_MANIFEST + "\","
                    + "\"config\":{\"mediaType\":\"application/vnd.example.sig.config+json\",\"digest\":\"" + cfg
                    + "\",\"size\":23},\"layers\":[{\"mediaType\":\"application/vnd.example.sig\",\"digest\":\"" + sig
                    + "\",\"size\":15}],\"subject\":{\"mediaType\":\"" + TestImages.OCI_MANIFEST + "\",\"digest\":\""
                    + imgA.manifestDigest() + "\",\"size\":" + imgA.manifestBytes().length + "}}";
            referrer = GcStores.pushManifest(dist.url(), APP, null, TestImages.OCI_MANIFEST,
                    body.getBytes(StandardCharsets.UTF_8));

            // edits: a manifest deleted by digest (its tag goes with it), a tag moved to another image
            Http.Response del = Http.delete(dist.url() + "/v2/" + GONE + "/manifests/" + imgD.manifestDigest());
            assertEquals(202, del.status(), del.toString());
            Skopeo.copy(imgE.ociRef(), Skopeo.docker(h, APP + ":v2")); // imgB untagged in gc/app, still in v2's index
            // 2.8 cannot delete a tag alone (DELETE by tag is refused): tags go with their manifest, as gc/gone's did
            Http.Response untag = Http.delete(dist.url() + "/v2/" + APP + "/manifests/latest");
            assertEquals(400, untag.status(), untag.toString());
        }
    }

    /** Deleted files of a distribution-collected and a Berth-collected copy of the store. */
    record Runs(Path dist, Path berth, Set<String> distDeleted, Set<String> berthDeleted) {
    }

    static Runs collect(String name, boolean deleteUntagged) throws IOException {
        Path d = GcStores.copy(store, tmp.resolve(name + "-distribution"));
        Path b = GcStores.copy(store, tmp.resolve(name + "-berth"));
        DistributionRegistry.garbageCollectStorage(d, deleteUntagged, false);
        List<String> args = new ArrayList<>(List.of("gc", "--grace-period", "0", "--quiet",
                "--report", tmp.resolve(name + "-report.json").toString()));
        if (deleteUntagged) {
            args.add("-m");
        }
        args.add("file://" + b.toAbsolutePath());
        assertEquals(0, Main.run(args.toArray(String[]::new)));
        Set<String> before = files(store);
        return new Runs(d, b, minus(before, files(d)), minus(before, files(b)));
    }

    @Test
    void withoutDeleteUntaggedBothDeleteTheSameBlobsAndBerthAlsoTheUnusedLayerLinks() throws IOException {
        Runs r = collect("plain", false);
        Set<String> layerLinks = onlyLayerLinks(r.berthDeleted());
        assertEquals(r.distDeleted(), minus(r.berthDeleted(), layerLinks), "same files apart from layer links");
        assertTrue(onlyLayerLinks(r.distDeleted()).isEmpty(), "distribution 2.8 leaves layer links behind");
        // what went: the deleted manifest of gc/gone with its config and layers
        for (String d : goneDigests()) {
            assertTrue(r.berthDeleted().contains(blobPath(d)), d);
        }
        assertEquals(GcStores.unreferencedLayerLinks(store), layerLinks,
                "Berth deleted exactly the layer links no revision of their repository references");
        assertTrue(GcStores.unreferencedLayerLinks(r.berth()).isEmpty());
        assertReport(tmp.resolve("plain-report.json"), r.berthDeleted());
    }

    @Test
    void withDeleteUntaggedDistributionAlsoDeletesIndexChildrenAndReferrersBerthKeepsThem() throws IOException {
        Runs r = collect("untagged", true);
        Set<String> layerLinks = onlyLayerLinks(r.berthDeleted());
        assertTrue(onlyLayerLinks(r.distDeleted()).isEmpty(), "distribution 2.8 leaves layer links behind");

        Set<String> wronglyDeleted = new TreeSet<>();
        for (TestImages.Image child : multi.manifests()) {
            wronglyDeleted.add(revisionPath(MULTI, child.manifestDigest()));
            wronglyDeleted.add(blobPath(child.configDigest()));
            child.layerDigests().forEach(l -> wronglyDeleted.add(blobPath(l)));
        }
        wronglyDeleted.add(revisionPath(APP, referrer));
        wronglyDeleted.add(blobPath(referrer));
        referrerBlobs.forEach(d -> wronglyDeleted.add(blobPath(d)));
        assertEquals(wronglyDeleted, minus(r.distDeleted(), r.berthDeleted()),
                "distribution deletes the index's children and imgA's referrer, Berth does not");
        assertEquals(layerLinks, minus(r.berthDeleted(), r.distDeleted()), "Berth deletes nothing else beyond layer links");

        // both deleted imgB from gc/app (untagged by the move of v2) and its tag-index entry; its blobs stay for gc/copy
        String bTagIndex = "repositories/" + APP + "/_manifests/tags/v2/index/sha256/"
                + imgB.manifestDigest().substring(7) + "/link";
        assertTrue(r.distDeleted().contains(bTagIndex) && r.berthDeleted().contains(bTagIndex));
        assertTrue(r.berthDeleted().contains(revisionPath(APP, imgB.manifestDigest())));
        GcStores.assertAllBlobsPresent(r.berth(), Set.copyOf(imgB.layerDigests()));
        assertTrue(layerLinks.contains(GcStores.layerPath(APP, imgB.layerDigests().get(0))),
                "gc/app's links to imgB's layers go, the blobs stay for gc/copy");
        assertEquals(Set.of(), GcStores.unreferencedLayerLinks(r.berth()));

        // the consequences: Berth's copy serves the index with every platform, distribution's does not
        try (BerthServer berth = BerthServer.start(r.berth())) {
            Path out = tmp.resolve("pulled-berth");
            Files.createDirectories(out);
            Skopeo.copyAll(Skopeo.docker(berth.hostPort(), MULTI + ":multi"), Skopeo.oci(out.resolve("multi"), "multi"));
            for (TestImages.Image child : multi.manifests()) {
                StorageChecks.assertLayoutHasBlobs(out.resolve("multi"), child);
            }
            Http.Response referrers = Http.get(berth.url() + "/v2/" + APP + "/referrers/" + imgA.manifestDigest());
            assertEquals(200, referrers.status(), referrers.toString());
            assertTrue(referrers.bodyString().contains(referrer), referrers.bodyString());
        }
        try (DistributionRegistry dist = DistributionRegistry.start(r.dist(), tmp.resolve("dist-after"))) {
            Path out = tmp.resolve("pulled-distribution");
            Files.createDirectories(out);
            assertNotEquals(0, Skopeo.tryCopy(Skopeo.docker(dist.hostPort(), MULTI + ":multi"),
                    Skopeo.oci(out.resolve("multi"), "multi"), "--all").exitCode(),
                    "distribution's gc broke the multi-platform image");
        }
        assertReport(tmp.resolve("untagged-report.json"), r.berthDeleted());
    }

    private static List<String> goneDigests() {
        List<String> out = new ArrayList<>(imgD.layerDigests());
        out.add(imgD.manifestDigest());
        out.add(imgD.configDigest());
        return out;
    }

    private static Set<String> onlyLayerLinks(Set<String> files) {
        Set<String> out = new TreeSet<>();
        for (String f : files) {
            if (f.contains("/_layers/")) {
                out.add(f);
            }
        }
        return out;
    }

    /** The JSON report lists every deleted blob, revision and layer link. */
    private static void assertReport(Path report, Set<String> deleted) throws IOException {
        JsonNode r = TestImages.parseJson(Files.readAllBytes(report));
        Set<String> listed = new TreeSet<>();
        r.path("blobs").forEach(b -> listed.add(blobPath(b.path("digest").asText())));
        r.path("repositories").fields().forEachRemaining(e -> {
            e.getValue().path("manifests").forEach(m -> listed.add(revisionPath(e.getKey(), m.asText())));
            e.getValue().path("layerLinks").forEach(m -> listed.add(GcStores.layerPath(e.getKey(), m.asText())));
            e.getValue().path("tagIndexEntries").forEach(m -> {
                String[] tagAt = m.asText().split("@");
                listed.add("repositories/" + e.getKey() + "/_manifests/tags/" + tagAt[0] + "/index/sha256/"
                        + tagAt[1].substring(7) + "/link");
            });
        });
        assertEquals(deleted, listed);
        assertEquals(false, r.path("dryRun").asBoolean());
        assertTrue(r.path("totals").path("bytesFreed").asLong() > 0);
    }
}
