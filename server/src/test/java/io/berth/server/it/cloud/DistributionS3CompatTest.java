package io.berth.server.it.cloud;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.cli.Main;
import io.berth.server.it.DistributionRegistry;
import io.berth.server.it.Http;
import io.berth.server.it.Ports;
import io.berth.server.it.RegistryListings;
import io.berth.server.it.Skopeo;
import io.berth.server.it.StorageChecks;
import io.berth.server.it.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Berth and distribution's registry (Debian {@code docker-registry} 2.8) on one S3 bucket, both
 * configured with the same {@code storage.s3} keys: Berth serves, verifies and garbage-collects
 * what distribution's s3 driver wrote (gc deleting exactly a deleted image), and distribution
 * serves what Berth wrote and what Berth's gc left. The filesystem counterparts are DistributionCompatTest and
 * DistributionGcCompatTest. On S3Mock only: distribution's s3 driver panics on chunked PATCH
 * against s3proxy, and 2.8's azure driver cannot be pointed at Azurite (no {@code serviceurl}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DistributionS3CompatTest {
    static final long MIB = 1024 * 1024;
    static final String IMAGE = "s3compat/image";
    static final String COPY = "s3compat/copy";
    static final String MULTI = "s3compat/multi";
    static final String GONE = "s3compat/gone";

    CloudBackend backend;
    Path tmp;
    TestImages.Image image;
    TestImages.Image other;
    TestImages.Image gone;
    TestImages.Index multi;
    /** The bucket distribution wrote: images, a second repository, an index, a deleted manifest. */
    String written;
    Map<String, JsonNode> distributionListings;

    @BeforeAll
    void distributionWritesABucket() throws IOException {
        tmp = Files.createTempDirectory("berth-it-s3compat");
        backend = CloudBackend.of(CloudBackend.Kind.S3MOCK);
        image = TestImages.multiLayer(tmp.resolve("image"), "v1", 5101, 3, 6 * MIB);
        other = TestImages.multiLayer(tmp.resolve("other"), "v1", 5102, 2, 300_000);
        gone = TestImages.multiLayer(tmp.resolve("gone"), "v1", 5103, 2, 300_000);
        multi = TestImages.multiPlatform(tmp.resolve("multi"), "multi", 5104);
        written = backend.newStore();
        try (DistributionRegistry dist = distribution(written, "dist-write")) {
            Skopeo.copy(gone.ociRef(), Skopeo.docker(dist.hostPort(), GONE + ":v1"));
            pushWhatIsPulled(dist.hostPort());
            Http.Response del = Http.delete(dist.url() + "/v2/" + GONE + "/manifests/" + gone.manifestDigest());
            assertEquals(202, del.status(), del.toString());
            distributionListings = RegistryListings.of(dist.url());
            assertTrue(dist.isRunning(), dist.logTail());
        }
    }

    @AfterAll
    void cleanUp() {
        if (tmp != null) {
            CloudImages.deleteTree(tmp);
        }
    }

    @Test
    void berthServesWhatDistributionWrote() throws IOException {
        try (CloudBerth berth = CloudBerth.start(backend, written, CloudServeContract.CACHE, tmp.resolve("berth-serve"))) {
            pullAndVerify(berth.hostPort(), tmp.resolve("pulled-from-berth"));
            assertEquals(distributionListings, RegistryListings.of(berth.url()), "Berth lists what distribution stored");
            Http.Response goneTag = Http.get(berth.url() + "/v2/" + GONE + "/manifests/v1");
            assertEquals(404, goneTag.status(), "the tag went with its manifest: " + goneTag);
            assertTrue(berth.isRunning(), berth.logTail());
        }
    }

    @Test
    void verifyFindsWhatDistributionWroteClean() throws IOException {
        Path report = tmp.resolve("verify.json");
        assertEquals(0, Main.run("verify", "--quiet", "--report", report.toString(), config(written, "verify")));
        JsonNode r = TestImages.parseJson(Files.readAllBytes(report));
        assertEquals(0, r.path("problems").size(), r.toString());
        long blobs = keys(written).stream().filter(k -> k.contains("/blobs/") && k.endsWith("/data")).count();
        JsonNode totals = r.path("totals");
        assertEquals(blobs, totals.path("blobs").asLong(), totals.toString());
        assertEquals(blobs, totals.path("blobsHashed").asLong(), "every blob re-hashed: " + totals);
        assertEquals(4, totals.path("repositories").asLong(), totals.toString());
    }

    /**
     * Berth's gc on (a copy of) the bucket deletes exactly the deleted image's blobs and layer links
     * and nothing else, and distribution then still serves every image from it. (distribution
     * 2.8.2's own {@code garbage-collect} cannot be compared here: on S3Mock it fails at the end of
     * its repositories walk, "s3aws: Path not found: /docker/registry/v2/repositories", even on a
     * store of one image.)
     */
    @Test
    void gcDeletesOnlyTheDeletedImageAndDistributionStillServesTheRest() throws IOException {
        String bucket = copyOf(written);
        Set<String> before = keys(bucket);
        assertEquals(keys(written), before, "the copy holds the same keys");
        Path report = tmp.resolve("gc.json");
        assertEquals(0, Main.run("gc", "--grace-period", "0", "--quiet", "--report", report.toString(),
                config(bucket, "berth-gc")));

        Set<String> expected = new TreeSet<>();
        String root = "registry/docker/registry/v2/";
        List<String> blobs = new java.util.ArrayList<>(gone.layerDigests());
        blobs.add(gone.configDigest());
        for (String d : blobs) {
            expected.add(root + "repositories/" + GONE + "/_layers/sha256/" + d.substring(7) + "/link");
        }
        blobs.add(gone.manifestDigest());
        for (String d : blobs) {
            String hex = d.substring(7);
            expected.add(root + "blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
        }
        assertEquals(expected, minus(before, keys(bucket)), "deleted: the deleted image's blobs and layer links");
        JsonNode r = TestImages.parseJson(Files.readAllBytes(report));
        assertEquals(4, r.path("blobs").size(), r.path("totals").toString());
        assertEquals(3, r.path("totals").path("layerLinks").asLong(), r.path("totals").toString());

        try (DistributionRegistry dist = distribution(bucket, "dist-after-berth-gc")) {
            pullAndVerify(dist.hostPort(), tmp.resolve("pulled-after-gc"));
        }
    }

    @Test
    void distributionServesWhatBerthWrote() throws IOException {
        String bucket = backend.newStore();
        Map<String, JsonNode> berthListings;
        try (CloudBerth berth = CloudBerth.start(backend, bucket, CloudServeContract.CACHE, tmp.resolve("berth-write"))) {
            pushWhatIsPulled(berth.hostPort());
            berthListings = RegistryListings.of(berth.url());
        }
        try (DistributionRegistry dist = distribution(bucket, "dist-read")) {
            pullAndVerify(dist.hostPort(), tmp.resolve("pulled-from-distribution"));
            assertEquals(berthListings, RegistryListings.of(dist.url()), "distribution lists what Berth stored");
            assertTrue(dist.isRunning(), dist.logTail());
        }
    }

    /** Pushes the images {@link #pullAndVerify} expects through the registry at {@code host}. */
    private void pushWhatIsPulled(String h) {
        Skopeo.copy(image.ociRef(), Skopeo.docker(h, IMAGE + ":v1"));
        Skopeo.copy(image.ociRef(), Skopeo.docker(h, IMAGE + ":latest"));
        Skopeo.copy(other.ociRef(), Skopeo.docker(h, COPY + ":v1"));
        Skopeo.copyAll(multi.ociRef(), Skopeo.docker(h, MULTI + ":multi"));
        // GONE keeps a manifest when its v1 is deleted (and so stays in the catalog: distribution
        // 2.8 lists a repository with _layers, Berth, as distribution 3, one with _manifests)
        Skopeo.copy(other.ociRef(), Skopeo.docker(h, GONE + ":v2"));
    }

    /** Pulls every image the bucket should hold through the registry at {@code host} and checks each byte. */
    private void pullAndVerify(String host, Path out) throws IOException {
        Files.createDirectories(out);
        for (String tag : List.of("v1", "latest")) {
            String ref = Skopeo.docker(host, IMAGE + ":" + tag);
            assertArrayEquals(image.manifestBytes(), Skopeo.inspectRawBytes(ref), tag);
            pullOne(ref, out.resolve("image-" + tag), tag, image);
        }
        pullOne(Skopeo.docker(host, COPY + ":v1"), out.resolve("copy"), "v1", other);
        pullOne(Skopeo.docker(host, GONE + ":v2"), out.resolve("gone"), "v2", other);
        StorageChecks.assertPullsIndex(Skopeo.docker(host, MULTI + ":multi"), out.resolve("multi"), multi);
    }

    private static void pullOne(String ref, Path layout, String tag, TestImages.Image expected) {
        Skopeo.copy(ref, Skopeo.oci(layout, tag));
        assertEquals(expected.manifestDigest(), TestImages.resolveTag(layout, tag).digest());
        assertEquals(expected.layerDigests(), TestImages.layerDigests(layout, expected.manifestDigest()));
        StorageChecks.assertLayoutHasBlobs(layout, expected); // every blob hashes to its digest, full size
    }

    /** distribution's registry on the bucket, with the config.yml Berth is given for it. */
    private DistributionRegistry distribution(String bucket, String name) {
        Path work = tmp.resolve(name);
        return DistributionRegistry.start(null, port -> CloudBerth.write(work.resolve("config.yml"),
                CloudBerth.yaml(backend.driver(), backend.parameters(bucket), null, port)), work);
    }

    /** A config.yml for the bucket (as for serve), for gc and verify. */
    private String config(String bucket, String name) {
        return CloudBerth.write(tmp.resolve(name + ".yml"),
                CloudBerth.yaml(backend.driver(), backend.parameters(bucket), null, Ports.free())).toString();
    }

    private Set<String> keys(String bucket) {
        return new TreeSet<>(backend.objectNames(bucket));
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.removeAll(b);
        return out;
    }

    /** A new bucket holding a server-side copy of every object of {@code bucket}. */
    private String copyOf(String bucket) {
        CloudBackend.S3 s3 = (CloudBackend.S3) backend;
        String copy = backend.newStore();
        for (String key : backend.objectNames(bucket)) {
            s3.server.admin().copyObject(b -> b.sourceBucket(bucket).sourceKey(key).destinationBucket(copy).destinationKey(key));
        }
        return copy;
    }
}
