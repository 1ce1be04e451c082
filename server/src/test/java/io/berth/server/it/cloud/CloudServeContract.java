package io.berth.server.it.cloud;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.server.it.CraneRoundTrip;
import io.berth.server.it.Http;
import io.berth.server.it.Skopeo;
import io.berth.server.it.StorageChecks;
import io.berth.server.it.TestImages;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What {@code berth serve} must do on every object store, with the store configured by
 * distribution's config.yml keys: a skopeo round trip of an image with a 100+ MiB layer, a chunked
 * upload carried across instances after its server stopped, deletes and referrers, and blob
 * redirects. Each subclass names its backend. One bucket or container and three Berth processes
 * on it serve the whole class: the main one (no {@code storage.redirect} key, in-memory blob
 * descriptor cache), one with {@code redirect.disable: false} and one with {@code disable: true}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CloudServeContract {
    static final int MIB = CloudImages.MIB;
    static final String OCTETS = "application/octet-stream";
    static final String CACHE = "  cache:\n    blobdescriptor: inmemory\n";
    private static final ObjectMapper JSON = new ObjectMapper();

    CloudBackend backend;
    String store;
    Path tmp;
    /** Berth with no storage.redirect key (so redirects are on, as in distribution). */
    CloudBerth berth;
    /** A second instance on the same store with {@code storage.redirect.disable: false}. */
    CloudBerth redirecting;
    /** A third instance on the same store with {@code storage.redirect.disable: true}. */
    CloudBerth direct;

    abstract CloudBackend.Kind kind();

    @BeforeAll
    void startBackendAndBerth() throws IOException {
        tmp = Files.createTempDirectory("berth-it-cloud-" + kind().name().toLowerCase());
        backend = CloudBackend.of(kind());
        store = backend.newStore();
        // three JVMs starting side by side take little longer than one
        CompletableFuture<CloudBerth> a = CompletableFuture.supplyAsync(
                () -> CloudBerth.start(backend, store, CACHE, tmp.resolve("main")));
        CompletableFuture<CloudBerth> b = CompletableFuture.supplyAsync(
                () -> CloudBerth.start(backend, store, "  redirect:\n    disable: false\n", tmp.resolve("redirect-false")));
        CompletableFuture<CloudBerth> c = CompletableFuture.supplyAsync(
                () -> CloudBerth.start(backend, store, "  redirect:\n    disable: true\n", tmp.resolve("redirect-true")));
        CompletableFuture.allOf(a, b, c).exceptionally(t -> null).join(); // all three, whatever happened
        berth = a.getNow(null);
        redirecting = b.getNow(null);
        direct = c.getNow(null);
        for (CompletableFuture<CloudBerth> f : List.of(a, b, c)) {
            if (f.isCompletedExceptionally()) {
                stop();
                f.join(); // throws, with the start-up failure and Berth's log in the message
            }
        }
    }

    @AfterAll
    void stop() {
        for (CloudBerth p : new CloudBerth[] {berth, redirecting, direct}) {
            if (p != null) {
                p.close();
            }
        }
        if (tmp != null) {
            CloudImages.deleteTree(tmp);
        }
    }

    // ---- 1. skopeo round trip of a multi-layer image with a 100+ MiB layer ----

    @Test
    void skopeoPushesAndPullsAnImageWithALayerOver100MiB() throws IOException {
        TestImages.Image image = CloudImages.big();
        assertTrue(image.layers().get(0).size() > 100L * MIB, "the big layer: " + image.layers().get(0));
        assertEquals(3, image.layers().size());
        String ref = Skopeo.docker(berth.hostPort(), "cloud/big:v1");

        long t0 = System.nanoTime();
        Skopeo.copy(image.ociRef(), ref);
        long pushed = System.nanoTime();

        JsonNode info = Skopeo.inspect(ref);
        assertEquals(image.manifestDigest(), info.path("Digest").asText(), info.toString());
        assertEquals(image.layerDigests(), TestImages.texts(info.path("Layers")));
        assertArrayEquals(image.manifestBytes(), Skopeo.inspectRawBytes(ref));

        Path out = tmp.resolve("pulled");
        Skopeo.copy(ref, Skopeo.oci(out, "v1"));
        long pulled = System.nanoTime();
        System.out.printf("%s: push of %d MiB %d ms, pull %d ms%n", backend, image.totalLayerBytes() / MIB,
                (pushed - t0) / 1_000_000, (pulled - pushed) / 1_000_000);

        TestImages.Blob manifest = TestImages.resolveTag(out, "v1");
        assertEquals(image.manifestDigest(), manifest.digest());
        assertEquals(image.layerDigests(), TestImages.layerDigests(out, manifest.digest()));
        StorageChecks.assertLayoutHasBlobs(out, image); // every pulled blob hashes to its digest, full size

        // in the store: distribution's keys, and nothing left of the uploads
        List<String> names = backend.objectNames(store);
        for (String d : image.layerDigests()) {
            String hex = d.substring("sha256:".length());
            String key = "registry/docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data";
            assertTrue(names.contains(key), key + " in " + backend);
        }
        assertTrue(names.stream().noneMatch(n -> n.contains("/cloud/big/_uploads/")),
                "upload leftovers: " + names.stream().filter(n -> n.contains("_uploads")).toList());
        assertEquals(List.of(), backend.multipartUploadsInProgress(store).stream()
                .filter(k -> k.contains("/cloud/big/")).toList(), "multipart uploads left in progress");
        assertTrue(berth.isRunning(), berth.logTail());
        String log = Files.readString(berth.logFile(), StandardCharsets.UTF_8);
        assertFalse(log.contains("restricted by 'java.net.http.HttpClient'"), "the Azure SDK's per-request warning is not logged");
    }

    /**
     * crane, a second real client, through the instance that redirects blob GETs (crane follows
     * them to the signed URLs), with a layer above S3's 5 MiB part minimum.
     */
    @Test
    void craneBuildsCopiesValidatesExportsAndDeletes() throws IOException {
        CraneRoundTrip.Result r = CraneRoundTrip.run(berth.hostPort(), "cloud-crane",
                Files.createDirectories(tmp.resolve("crane")), 12 * MIB);
        List<String> names = backend.objectNames(store);
        for (String layer : r.layers()) {
            String hex = layer.substring("sha256:".length());
            for (String repo : List.of("app", "copy")) {
                String link = "registry/docker/registry/v2/repositories/cloud-crane/" + repo + "/_layers/sha256/" + hex + "/link";
                assertTrue(names.contains(link), link + " in " + backend);
            }
        }
        assertTrue(names.stream().noneMatch(n -> n.contains("/cloud-crane/app/_uploads/")), "upload leftovers");
    }

    // ---- 2. a chunked upload started on a server that is then stopped, finished on two others ----

    @Test
    void chunkedUploadStartedOnAStoppedServerIsFinishedOnTwoOthers() {
        String repo = "cloud/chunks";
        // a first chunk under S3's 5 MiB part minimum, bigger ones, odd sizes
        int[] chunks = {MIB + 3, 6 * MIB, 2 * MIB + 5, 7 * MIB + 11, 512 * 1024};
        byte[] content = TestImages.randomBytes(Arrays.stream(chunks).sum(), 99);
        String digest = TestImages.sha256(content);
        int offset = 0;
        String upload;

        CloudBerth first = CloudBerth.start(backend, store, null, tmp.resolve("first"));
        try {
            Http.Response post = Http.post(first.url() + "/v2/" + repo + "/blobs/uploads/", new byte[0]);
            assertEquals(202, post.status(), post.toString());
            upload = Http.pathAndQuery(post.header("Location"));
            upload = patch(first, upload, content, offset, chunks[0]);
            offset += chunks[0];
            upload = patch(first, upload, content, offset, chunks[1]);
            offset += chunks[1];
        } finally {
            first.close(); // SIGTERM: the server that started the upload is gone
        }

        // the class's Berth never saw this upload: it learns its state from the store alone
        Http.Response status = Http.get(berth.url() + upload);
        assertEquals(204, status.status(), status + "\n" + berth.logTail());
        assertEquals("0-" + (offset - 1), status.header("Range"), "upload status on a second instance");
        upload = patch(berth, upload, content, offset, chunks[2]);
        offset += chunks[2];

        // a third instance continues, then the class's Berth (its running hash now behind the data)
        // completes with the final chunk in the PUT
        Http.Response again = Http.get(direct.url() + upload);
        assertEquals("0-" + (offset - 1), again.header("Range"), again.toString());
        upload = patch(direct, upload, content, offset, chunks[3]);
        offset += chunks[3];
        Http.Response put = Http.put(berth.url() + Http.withDigest(upload, digest),
                Arrays.copyOfRange(content, offset, content.length),
                "Content-Type", OCTETS, "Content-Range", offset + "-" + (content.length - 1));
        assertEquals(201, put.status(), put + "\n" + berth.logTail());
        assertEquals(digest, put.header("Docker-Content-Digest"));

        Http.Response head = Http.head(direct.url() + "/v2/" + repo + "/blobs/" + digest);
        assertEquals(200, head.status(), head.toString());
        assertEquals(String.valueOf(content.length), head.header("Content-Length"));
        assertArrayEquals(content, fetchBlob(direct, repo, digest));
        assertArrayEquals(content, fetchBlob(berth, repo, digest));
        Http.Response gone = Http.get(direct.url() + upload);
        assertEquals(404, gone.status(), "the finished upload is gone: " + gone);
        assertTrue(backend.objectNames(store).stream().noneMatch(n -> n.contains("/cloud/chunks/_uploads/")),
                "upload leftovers in the store");
        assertEquals(List.of(), backend.multipartUploadsInProgress(store).stream()
                .filter(k -> k.contains("/cloud/chunks/")).toList(), "multipart uploads left in progress");
    }

    /**
     * A server killed (SIGKILL) in the middle of a streamed PATCH, after an earlier chunk was
     * acknowledged: no blob appears, the upload survives with a prefix of what was sent (another
     * instance reports where it stands), and it is finished there to the right digest.
     */
    @Test
    void aServerKilledMidChunkLeavesNoBlobAndTheUploadGoesOnElsewhere() throws Exception {
        String repo = "cloud/crash";
        byte[] content = TestImages.randomBytes(48 * MIB, 123);
        String digest = TestImages.sha256(content);
        int first = 6 * MIB;
        int streamed = 30 * MIB; // of the second chunk's 42 MiB, before the kill
        List<String> blobsBefore = blobObjects();
        String upload;
        CloudBerth doomed = CloudBerth.start(backend, store, null, tmp.resolve("doomed"));
        try {
            Http.Response post = Http.post(doomed.url() + "/v2/" + repo + "/blobs/uploads/", new byte[0]);
            assertEquals(202, post.status(), post.toString());
            upload = patch(doomed, Http.pathAndQuery(post.header("Location")), content, 0, first);
            try (Socket socket = new Socket("127.0.0.1", Integer.parseInt(doomed.hostPort().split(":")[1]))) {
                OutputStream out = socket.getOutputStream();
                out.write(("PATCH " + upload + " HTTP/1.1\r\nHost: " + doomed.hostPort() + "\r\n"
                        + "Content-Type: " + OCTETS + "\r\n"
                        + "Content-Range: " + first + "-" + (content.length - 1) + "\r\n"
                        + "Content-Length: " + (content.length - first) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(content, first, streamed);
                out.flush();
                Thread.sleep(2_000); // let the server pass some of it on to the store
                assertEquals(137, doomed.kill9(), "killed by SIGKILL (128 + 9)");
            }
        } finally {
            doomed.close();
        }
        assertEquals(blobsBefore, blobObjects(), "a blob appeared from a killed upload");
        assertEquals(404, Http.head(berth.url() + "/v2/" + repo + "/blobs/" + digest).status());

        Http.Response status = Http.get(direct.url() + upload);
        assertEquals(204, status.status(), "an upload with an acknowledged chunk survives the crash: " + status
                + "\n" + direct.logTail());
        String range = status.header("Range");
        long offset = Long.parseLong(range.substring(range.indexOf('-') + 1)) + 1;
        assertTrue(offset >= first && offset <= first + streamed, "reported " + range + " after the crash");
        System.out.println(kind() + ": after the kill the upload stands at " + offset + " bytes (" + first
                + " acknowledged, " + (first + streamed) + " sent)");
        upload = patch(direct, upload, content, (int) offset, content.length - (int) offset);
        Http.Response put = Http.put(berth.url() + Http.withDigest(upload, digest), new byte[0], "Content-Type", OCTETS);
        assertEquals(201, put.status(), "what survived is an exact prefix: " + put + "\n" + berth.logTail());
        assertArrayEquals(content, fetchBlob(direct, repo, digest));
        String hex = digest.substring("sha256:".length());
        assertTrue(blobObjects().stream().anyMatch(n -> n.endsWith("/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data")),
                "the finished blob is among the store's blob objects: " + blobObjects());
        assertTrue(backend.objectNames(store).stream().noneMatch(n -> n.contains("/cloud/crash/_uploads/")),
                "upload leftovers in the store");
        assertEquals(List.of(), backend.multipartUploadsInProgress(store).stream()
                .filter(k -> k.contains("/cloud/crash/")).toList(), "multipart uploads left in progress");
    }

    private List<String> blobObjects() {
        return backend.objectNames(store).stream().filter(n -> n.contains("/docker/registry/v2/blobs/")).sorted().toList();
    }

    /** One PATCH with Content-Range; returns the next upload path. */
    static String patch(CloudBerth b, String upload, byte[] content, int offset, int length) {
        Http.Response r = Http.patch(b.url() + upload, Arrays.copyOfRange(content, offset, offset + length),
                "Content-Type", OCTETS, "Content-Range", offset + "-" + (offset + length - 1));
        assertEquals(202, r.status(), "PATCH " + offset + "-" + (offset + length - 1) + " on " + b.url() + ": " + r
                + "\n" + b.logTail());
        assertEquals("0-" + (offset + length - 1), r.header("Range"));
        return Http.pathAndQuery(r.header("Location"));
    }

    /** The blob's bytes, following a redirect if Berth answers with one. */
    static byte[] fetchBlob(CloudBerth b, String repo, String digest) {
        Http.Response r = Http.get(b.url() + "/v2/" + repo + "/blobs/" + digest);
        if (r.status() == 307) {
            r = Http.get(r.header("Location"));
        }
        assertEquals(200, r.status(), r.status() + " " + r.headers().map());
        return r.body();
    }

    // ---- 3. deletes and referrers ----

    @Test
    void deletesAnswer202Then404AndReferrersListAnArtifact() throws IOException {
        String repo = "cloud/referrers";
        String base = berth.url() + "/v2/" + repo;
        byte[] layer = TestImages.randomBytes(300 * 1024, 7);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        String layerDigest = monolithic(berth, repo, layer);
        String configDigest = monolithic(berth, repo, config);
        byte[] image = json(Map.of("schemaVersion", 2, "mediaType", TestImages.OCI_MANIFEST,
                "config", descriptor(TestImages.OCI_CONFIG, configDigest, config.length),
                "layers", List.of(descriptor(TestImages.OCI_LAYER_GZIP, layerDigest, layer.length))));
        String subject = putManifest(base + "/manifests/v1", image);

        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        byte[] sbom = "{\"sbom\":true}".getBytes(StandardCharsets.UTF_8);
        String sbomType = "application/vnd.example.sbom+json";
        monolithic(berth, repo, empty);
        String sbomDigest = monolithic(berth, repo, sbom);
        Map<String, Object> artifactJson = new LinkedHashMap<>();
        artifactJson.put("schemaVersion", 2);
        artifactJson.put("mediaType", TestImages.OCI_MANIFEST);
        artifactJson.put("artifactType", sbomType);
        artifactJson.put("config", descriptor("application/vnd.oci.empty.v1+json", TestImages.sha256(empty), 2));
        artifactJson.put("layers", List.of(descriptor(sbomType, sbomDigest, sbom.length)));
        artifactJson.put("subject", descriptor(TestImages.OCI_MANIFEST, subject, image.length));
        artifactJson.put("annotations", Map.of("org.example.kind", "sbom"));
        byte[] artifact = json(artifactJson);
        String artifactDigest = TestImages.sha256(artifact);
        Http.Response put = Http.put(base + "/manifests/" + artifactDigest, artifact,
                "Content-Type", TestImages.OCI_MANIFEST);
        assertEquals(201, put.status(), put.toString());
        assertEquals(subject, put.header("OCI-Subject"));

        JsonNode referrers = referrers(base + "/referrers/" + subject);
        assertEquals(1, referrers.path("manifests").size(), referrers.toString());
        JsonNode entry = referrers.path("manifests").get(0);
        assertEquals(artifactDigest, entry.path("digest").asText());
        assertEquals(sbomType, entry.path("artifactType").asText());
        assertEquals(artifact.length, entry.path("size").asLong());
        assertEquals("sbom", entry.path("annotations").path("org.example.kind").asText());
        assertEquals(1, referrers(base + "/referrers/" + subject + "?artifactType=" + sbomType.replace("+", "%2B"))
                .path("manifests").size());
        assertEquals(0, referrers(base + "/referrers/" + subject + "?artifactType=text/plain")
                .path("manifests").size());

        // manifest deletes: 202, then 404, and the referrer disappears with its manifest
        assertEquals(202, Http.delete(base + "/manifests/" + artifactDigest).status());
        assertEquals(404, Http.get(base + "/manifests/" + artifactDigest, "Accept", TestImages.OCI_MANIFEST).status());
        assertEquals(0, referrers(base + "/referrers/" + subject).path("manifests").size());
        assertEquals(200, Http.head(base + "/manifests/v1", "Accept", TestImages.OCI_MANIFEST).status());
        assertEquals(202, Http.delete(base + "/manifests/" + subject).status());
        Http.Response goneManifest = Http.get(base + "/manifests/" + subject, "Accept", TestImages.OCI_MANIFEST);
        assertEquals(404, goneManifest.status(), goneManifest.toString());
        assertTrue(goneManifest.bodyString().contains("MANIFEST_UNKNOWN"), goneManifest.toString());
        assertEquals(404, Http.get(base + "/manifests/v1", "Accept", TestImages.OCI_MANIFEST).status());
        assertEquals(404, Http.delete(base + "/manifests/" + subject).status());

        // blob delete: 202, then HEAD and GET 404 (also through the descriptor cache, which saw it)
        assertEquals(200, Http.head(base + "/blobs/" + layerDigest).status());
        Http.Response del = Http.delete(base + "/blobs/" + layerDigest);
        assertEquals(202, del.status(), del.toString());
        assertEquals(404, Http.head(base + "/blobs/" + layerDigest).status());
        Http.Response getGone = Http.get(base + "/blobs/" + layerDigest);
        assertEquals(404, getGone.status(), getGone.toString());
        assertTrue(getGone.bodyString().contains("BLOB_UNKNOWN"), getGone.toString());
        assertEquals(404, Http.delete(base + "/blobs/" + layerDigest).status());
        assertEquals(200, Http.head(base + "/blobs/" + configDigest).status(), "other blobs stay");
    }

    static String monolithic(CloudBerth b, String repo, byte[] content) {
        String digest = TestImages.sha256(content);
        Http.Response r = Http.post(b.url() + "/v2/" + repo + "/blobs/uploads/?digest=" + digest, content,
                "Content-Type", OCTETS);
        assertEquals(201, r.status(), r + "\n" + b.logTail());
        return digest;
    }

    private static String putManifest(String url, byte[] manifest) {
        Http.Response r = Http.put(url, manifest, "Content-Type", TestImages.OCI_MANIFEST);
        assertEquals(201, r.status(), r.toString());
        assertEquals(TestImages.sha256(manifest), r.header("Docker-Content-Digest"));
        return r.header("Docker-Content-Digest");
    }

    private static JsonNode referrers(String url) {
        Http.Response r = Http.get(url);
        assertEquals(200, r.status(), r.toString());
        assertEquals(TestImages.OCI_INDEX, r.header("Content-Type"));
        return TestImages.parseJson(r.body());
    }

    static Map<String, Object> descriptor(String mediaType, String digest, long size) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", digest);
        d.put("size", size);
        return d;
    }

    private static byte[] json(Map<String, Object> value) throws IOException {
        return JSON.writeValueAsBytes(new java.util.TreeMap<>(value));
    }

    // ---- 4. redirects ----

    @Test
    void blobGetsRedirectToSignedUrlsUnlessRedirectsAreDisabled() {
        String repo = "cloud/redirect";
        byte[] content = TestImages.randomBytes(3 * MIB + 17, 11);
        String digest = monolithic(berth, repo, content);

        // no storage.redirect key: redirect, as distribution does by default
        assertRedirects(berth, repo, digest, content);

        assertRedirects(redirecting, repo, digest, content);
        assertRangesBehindRedirects(redirecting, repo, digest, content);

        Http.Response r = Http.get(direct.url() + "/v2/" + repo + "/blobs/" + digest);
        assertEquals(200, r.status(), r.headers().map().toString());
        assertEquals(null, r.header("Location"));
        assertEquals(digest, r.header("Docker-Content-Digest"));
        assertArrayEquals(content, r.body());
        Http.Response range = Http.get(direct.url() + "/v2/" + repo + "/blobs/" + digest, "Range", "bytes=1000-1999");
        assertEquals(206, range.status());
        assertArrayEquals(Arrays.copyOfRange(content, 1000, 2000), range.body());
    }

    /**
     * A plain {@code first-last} range is redirected, and the storage serves it; a malformed or
     * unsatisfiable one gets the spec's 416 from Berth (S3Mock answers 400 to {@code bytes=500-0},
     * s3proxy 400 or 500), and a suffix range is served by Berth (Azure Blob has none: Azurite
     * answers it with {@code Content-Length: NaN}).
     */
    private void assertRangesBehindRedirects(CloudBerth b, String repo, String digest, byte[] content) {
        String url = b.url() + "/v2/" + repo + "/blobs/" + digest;
        Http.Response plain = Http.get(url, "Range", "bytes=1000-1999");
        assertEquals(307, plain.status(), plain.toString());
        Http.Response fromStorage = Http.get(plain.header("Location"), "Range", "bytes=1000-1999");
        assertEquals(206, fromStorage.status(), fromStorage.toString());
        assertArrayEquals(Arrays.copyOfRange(content, 1000, 2000), fromStorage.body());
        for (String bad : List.of("bytes=500-0", "bytes=abc", "bytes=" + content.length + "-", "bytes=-0")) {
            Http.Response r = Http.get(url, "Range", bad);
            assertEquals(416, r.status(), bad + ": " + r);
            assertTrue(r.bodyString().contains("RANGE_INVALID"), bad + ": " + r.bodyString());
            assertEquals("bytes */" + content.length, r.header("Content-Range"), bad);
        }
        Http.Response suffix = Http.get(url, "Range", "bytes=-500");
        assertEquals(206, suffix.status(), suffix.toString());
        assertEquals("bytes " + (content.length - 500) + "-" + (content.length - 1) + "/" + content.length,
                suffix.header("Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(content, content.length - 500, content.length), suffix.body());
    }

    private void assertRedirects(CloudBerth b, String repo, String digest, byte[] content) {
        Http.Response r = Http.get(b.url() + "/v2/" + repo + "/blobs/" + digest);
        assertEquals(307, r.status(), r + "\n" + b.logTail());
        String location = r.header("Location");
        assertNotNull(location);
        assertTrue(location.contains(backend.signatureParameter()), "a signed URL: " + location);
        if (backend.kind == CloudBackend.Kind.AZURITE) {
            assertTrue(location.contains("sp=r") && location.contains("se="), "a read-only SAS with an expiry: " + location);
        } else {
            assertTrue(location.contains("X-Amz-Expires="), "a presigned URL with an expiry: " + location);
        }
        assertFalse(location.startsWith(b.url()), "the backend's URL, not Berth's: " + location);
        Http.Response fetched = Http.get(location);
        assertEquals(200, fetched.status(), location + " -> " + fetched.status() + " " + fetched.bodyString());
        assertArrayEquals(content, fetched.body(), "the redirect serves the blob's bytes");
        // HEAD is answered by Berth itself
        Http.Response head = Http.head(b.url() + "/v2/" + repo + "/blobs/" + digest);
        assertEquals(200, head.status());
        assertEquals(String.valueOf(content.length), head.header("Content-Length"));
    }
}
