package io.berth.server.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Berth and distribution (docker-registry 2.8) take turns on one filesystem storage root: what
 * one writes the other serves with identical digests and listings, and a blob upload begun on one
 * is finished on the other.
 */
class DistributionCompatTest {
    private static final long MIB = 1024 * 1024;
    private static final String DOCKER_V2S2 = "application/vnd.docker.distribution.manifest.v2+json";
    /** The http.secret {@link DistributionRegistry#writeConfig} gives distribution. */
    private static final String DISTRIBUTION_SECRET = "berth-integration-tests";

    private static final String IMAGE_REPO = "compat/image";
    private static final String MULTI_REPO = "compat/multi";
    private static final String DOCKER_REPO = "compat/nested/docker";

    @TempDir
    static Path images;

    static TestImages.Image image;
    static TestImages.Index multi;
    static TestImages.Image forV2s2;

    @TempDir
    Path tmp;

    @BeforeAll
    static void buildImages() {
        image = TestImages.multiLayer(images.resolve("image"), "v1", 2001, 4, 12 * MIB);
        multi = TestImages.multiPlatform(images.resolve("multi"), "multi", 2002);
        forV2s2 = TestImages.multiLayer(images.resolve("docker"), "v1", 2003, 2, 3 * MIB);
    }

    /** What a push left behind that the pulls check: the v2s2 manifest skopeo generated. */
    private record Pushed(byte[] v2s2Manifest) {
        String v2s2Digest() {
            return TestImages.sha256(v2s2Manifest);
        }
    }

    @Test
    void berthWritesDistributionReads() throws IOException {
        Path storage = tmp.resolve("D");
        Pushed pushed;
        Map<String, JsonNode> berthListings;
        try (BerthServer berth = BerthServer.start(storage)) {
            pushed = pushAll(berth.hostPort());
            berthListings = RegistryListings.of(berth.url());
        }
        StorageChecks.assertEveryBlobHashesToItsPath(storage);
        try (DistributionRegistry dist = DistributionRegistry.start(storage, tmp.resolve("dist-work"))) {
            pullAndVerifyAll(dist.hostPort(), pushed, tmp.resolve("pulled"));
            Map<String, JsonNode> distListings = RegistryListings.of(dist.url());
            assertEquals(List.of(IMAGE_REPO, MULTI_REPO, DOCKER_REPO).stream().sorted().toList(),
                    TestImages.texts(distListings.get("_catalog").path("repositories")));
            assertEquals(List.of("latest", "v1"),
                    TestImages.texts(distListings.get(IMAGE_REPO).path("tags")));
            assertEquals(berthListings, distListings, "distribution lists what Berth stored");
            assertTrue(dist.isRunning(), dist.logTail());
        }
    }

    @Test
    void distributionWritesBerthReads() throws IOException {
        Path storage = tmp.resolve("E");
        Pushed pushed;
        Map<String, JsonNode> distListings;
        try (DistributionRegistry dist = DistributionRegistry.start(storage, tmp.resolve("dist-work"))) {
            pushed = pushAll(dist.hostPort());
            distListings = RegistryListings.of(dist.url());
        }
        try (BerthServer berth = BerthServer.start(storage)) {
            pullAndVerifyAll(berth.hostPort(), pushed, tmp.resolve("pulled"));
            Map<String, JsonNode> berthListings = RegistryListings.of(berth.url());
            assertEquals(List.of(IMAGE_REPO, MULTI_REPO, DOCKER_REPO).stream().sorted().toList(),
                    TestImages.texts(berthListings.get("_catalog").path("repositories")));
            assertEquals(distListings, berthListings, "Berth lists what distribution stored");
        }
        // Berth only read: every blob distribution wrote is still intact.
        StorageChecks.assertEveryBlobHashesToItsPath(storage);
    }

    @Test
    void uploadStartedOnDistributionIsCompletedOnBerth() throws IOException {
        Path storage = tmp.resolve("F");
        String repo = "mixed/from-distribution";
        byte[] blob = TestImages.randomBytes(3 * (int) MIB + 12345, 31);
        String digest = TestImages.sha256(blob);
        int first = (int) MIB + 17;
        String uploadPathAndQuery;
        try (DistributionRegistry dist = DistributionRegistry.start(storage, tmp.resolve("dist-work"))) {
            Http.Response post = Http.post(dist.url() + "/v2/" + repo + "/blobs/uploads/", new byte[0]);
            assertEquals(202, post.status(), post.toString());
            Http.Response patch = Http.patch(Http.resolve(dist.url(), post.header("Location")),
                    Arrays.copyOfRange(blob, 0, first),
                    "Content-Type", "application/octet-stream", "Content-Range", "0-" + (first - 1));
            assertEquals(202, patch.status(), patch.toString());
            assertEquals("0-" + (first - 1), patch.header("Range"));
            uploadPathAndQuery = Http.pathAndQuery(patch.header("Location"));
            assertTrue(uploadPathAndQuery.contains("_state="), "distribution keeps upload state in the URL");
        }
        String uuid = uploadUuid(uploadPathAndQuery);
        Path uploadDir = StorageChecks.v2(storage).resolve("repositories/" + repo + "/_uploads/" + uuid);
        assertEquals(first, Files.size(uploadDir.resolve("data")));
        assertTrue(Files.isDirectory(uploadDir.resolve("hashstates/sha256")), "distribution saved its hash state");

        try (BerthServer berth = BerthServer.start(storage)) {
            // Berth ignores distribution's _state and reads the upload's progress from storage.
            String url = berth.url() + uploadPathAndQuery;
            Http.Response status = Http.get(url);
            assertEquals(204, status.status(), status.toString());
            assertEquals("0-" + (first - 1), status.header("Range"));
            Http.Response patch = Http.patch(url, Arrays.copyOfRange(blob, first, blob.length),
                    "Content-Type", "application/octet-stream",
                    "Content-Range", first + "-" + (blob.length - 1));
            assertEquals(202, patch.status(), patch.toString());
            assertEquals("0-" + (blob.length - 1), patch.header("Range"));
            // No hash state in memory for bytes distribution received: Berth re-hashes the data.
            Http.Response put = Http.put(Http.withDigest(berth.url() + Http.pathAndQuery(patch.header("Location")), digest),
                    new byte[0]);
            assertEquals(201, put.status(), put.toString());
            assertEquals(digest, put.header("Docker-Content-Digest"));
            Http.Response get = Http.get(berth.url() + "/v2/" + repo + "/blobs/" + digest);
            assertEquals(200, get.status());
            assertArrayEquals(blob, get.body());
        }
        assertFalse(Files.exists(uploadDir), "the upload, hashstates included, is gone after completion");
        assertEquals(digest, StorageChecks.sha256(StorageChecks.blobData(storage, digest)));
        StorageChecks.assertLink(StorageChecks.layerLink(storage, repo, digest), digest);
        StorageChecks.assertEveryBlobHashesToItsPath(storage);
        // And distribution serves the blob Berth committed.
        try (DistributionRegistry dist = DistributionRegistry.start(storage, tmp.resolve("dist-work2"))) {
            Http.Response get = Http.get(dist.url() + "/v2/" + repo + "/blobs/" + digest);
            assertEquals(200, get.status(), get.toString());
            assertArrayEquals(blob, get.body());
        }
    }

    /**
     * The reverse. distribution only accepts an upload URL carrying its own {@code _state}: an
     * HMAC-signed token (http.secret) naming repository, uuid and offset. Berth's Location has no
     * such token, so a client that simply follows it is refused by distribution with 404
     * BLOB_UPLOAD_INVALID (distribution's status for that code); the refusal leaves the data alone. Given a token signed with the
     * secret (what a distribution instance would have issued for this upload), distribution does
     * resume Berth's upload: it finds no hashstates, so it re-reads the data to verify the digest.
     */
    @Test
    void uploadStartedOnBerthOnDistributionNeedsItsSignedState() throws IOException, GeneralSecurityException {
        Path storage = tmp.resolve("G");
        String repo = "mixed/from-berth";
        byte[] blob = TestImages.randomBytes(2 * (int) MIB + 999, 32);
        String digest = TestImages.sha256(blob);
        int first = 700_001;
        String uploadPath;
        try (BerthServer berth = BerthServer.start(storage)) {
            Http.Response post = Http.post(berth.url() + "/v2/" + repo + "/blobs/uploads/", new byte[0]);
            assertEquals(202, post.status(), post.toString());
            Http.Response patch = Http.patch(Http.resolve(berth.url(), post.header("Location")),
                    Arrays.copyOfRange(blob, 0, first),
                    "Content-Type", "application/octet-stream", "Content-Range", "0-" + (first - 1));
            assertEquals(202, patch.status(), patch.toString());
            uploadPath = Http.pathAndQuery(patch.header("Location"));
            assertFalse(uploadPath.contains("?"), uploadPath);
        }
        String uuid = uploadUuid(uploadPath);
        Path uploadDir = StorageChecks.v2(storage).resolve("repositories/" + repo + "/_uploads/" + uuid);
        assertEquals(first, Files.size(uploadDir.resolve("data")));
        assertFalse(Files.exists(uploadDir.resolve("hashstates")), "Berth writes no hashstates");
        Instant startedAt = Instant.parse(Files.readString(uploadDir.resolve("startedat")).trim());

        try (DistributionRegistry dist = DistributionRegistry.start(storage, tmp.resolve("dist-work"))) {
            // Following Berth's Location as is: refused, for status, chunks and completion alike.
            Http.Response status = Http.get(dist.url() + uploadPath);
            assertEquals(404, status.status(), status.toString());
            assertTrue(status.bodyString().contains("BLOB_UPLOAD_INVALID"), status.toString());
            Http.Response refused = Http.patch(dist.url() + uploadPath, Arrays.copyOfRange(blob, first, blob.length),
                    "Content-Type", "application/octet-stream",
                    "Content-Range", first + "-" + (blob.length - 1));
            assertEquals(404, refused.status(), refused.toString());
            assertTrue(refused.bodyString().contains("BLOB_UPLOAD_INVALID"), refused.toString());
            Http.Response refusedPut = Http.put(Http.withDigest(dist.url() + uploadPath, digest), new byte[0]);
            assertEquals(404, refusedPut.status(), refusedPut.toString());
            assertTrue(refusedPut.bodyString().contains("BLOB_UPLOAD_INVALID"), refusedPut.toString());
            assertEquals(first, Files.size(uploadDir.resolve("data")), "the refusals left the data alone");

            // With the signed state distribution would have handed out, it resumes from the stored data.
            String state = distributionUploadState(repo, uuid, first, startedAt);
            String url = dist.url() + uploadPath + "?_state=" + URLEncoder.encode(state, StandardCharsets.UTF_8);
            Http.Response resumed = Http.get(url);
            assertEquals(204, resumed.status(), resumed.toString());
            assertEquals("0-" + (first - 1), resumed.header("Range"));
            Http.Response patch = Http.patch(url, Arrays.copyOfRange(blob, first, blob.length),
                    "Content-Type", "application/octet-stream",
                    "Content-Range", first + "-" + (blob.length - 1));
            assertEquals(202, patch.status(), patch.toString() + "\n" + dist.logTail());
            assertEquals("0-" + (blob.length - 1), patch.header("Range"));
            Http.Response put = Http.put(Http.withDigest(Http.resolve(dist.url(), patch.header("Location")), digest),
                    new byte[0]);
            assertEquals(201, put.status(), put.toString() + "\n" + dist.logTail());
            assertEquals(digest, put.header("Docker-Content-Digest"));
        }
        assertEquals(digest, StorageChecks.sha256(StorageChecks.blobData(storage, digest)));
        StorageChecks.assertEveryBlobHashesToItsPath(storage);
        try (BerthServer berth = BerthServer.start(storage)) {
            Http.Response get = Http.get(berth.url() + "/v2/" + repo + "/blobs/" + digest);
            assertEquals(200, get.status(), get.toString());
            assertArrayEquals(blob, get.body());
        }
    }

    // ---- pushing, pulling and listing the same set of images on either registry ----

    private static Pushed pushAll(String host) {
        Skopeo.copy(image.ociRef(), Skopeo.docker(host, IMAGE_REPO + ":v1"));
        Skopeo.copy(image.ociRef(), Skopeo.docker(host, IMAGE_REPO + ":latest"));
        Skopeo.copyAll(multi.ociRef(), Skopeo.docker(host, MULTI_REPO + ":multi"));
        String docker = Skopeo.docker(host, DOCKER_REPO + ":v1");
        Skopeo.copyV2s2(forV2s2.ociRef(), docker);
        byte[] raw = Skopeo.inspectRawBytes(docker);
        assertEquals(DOCKER_V2S2, TestImages.parseJson(raw).path("mediaType").asText());
        return new Pushed(raw);
    }

    private static void pullAndVerifyAll(String host, Pushed pushed, Path out) throws IOException {
        Files.createDirectories(out); // skopeo creates the layout directory, not its parents
        for (String tag : List.of("v1", "latest")) {
            String ref = Skopeo.docker(host, IMAGE_REPO + ":" + tag);
            assertArrayEquals(image.manifestBytes(), Skopeo.inspectRawBytes(ref), tag);
            Path layout = out.resolve("image");
            Skopeo.copy(ref, Skopeo.oci(layout, tag));
            TestImages.Blob pulled = TestImages.resolveTag(layout, tag);
            assertEquals(image.manifestDigest(), pulled.digest());
            assertEquals(image.configDigest(),
                    TestImages.readBlobJson(layout, pulled.digest()).path("config").path("digest").asText());
            assertEquals(image.layerDigests(), TestImages.layerDigests(layout, pulled.digest()));
            StorageChecks.assertLayoutHasBlobs(layout, image);
        }

        StorageChecks.assertPullsIndex(Skopeo.docker(host, MULTI_REPO + ":multi"), out.resolve("multi"), multi);

        String dockerRef = Skopeo.docker(host, DOCKER_REPO + ":v1");
        assertArrayEquals(pushed.v2s2Manifest(), Skopeo.inspectRawBytes(dockerRef));
        Path dir = out.resolve("docker");
        Skopeo.copy(Skopeo.docker(host, DOCKER_REPO + "@" + pushed.v2s2Digest()), Skopeo.dir(dir));
        assertArrayEquals(pushed.v2s2Manifest(), Files.readAllBytes(dir.resolve("manifest.json")));
        JsonNode m = TestImages.parseJson(pushed.v2s2Manifest());
        assertEquals(forV2s2.layerDigests(), TestImages.texts(m.path("layers"), "digest"));
        StorageChecks.assertDirHasBlobs(dir, forV2s2.layerDigests());
        StorageChecks.assertDirHasBlobs(dir, List.of(m.path("config").path("digest").asText()));
    }

    // ---- upload URLs ----

    /**
     * distribution's upload state token: base64url(HMAC-SHA256(secret, json) || json) with the
     * JSON of its blobUploadState {Name, UUID, Offset, StartedAt} (registry/handlers/hmac.go).
     */
    static String distributionUploadState(String repo, String uuid, long offset, Instant startedAt)
            throws GeneralSecurityException {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("Name", repo);
        state.put("UUID", uuid);
        state.put("Offset", offset);
        state.put("StartedAt", startedAt.toString());
        byte[] json;
        try {
            json = TestImages.JSON.writeValueAsBytes(state);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(DISTRIBUTION_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] sig = mac.doFinal(json);
        byte[] token = new byte[sig.length + json.length];
        System.arraycopy(sig, 0, token, 0, sig.length);
        System.arraycopy(json, 0, token, sig.length, json.length);
        return Base64.getUrlEncoder().encodeToString(token);
    }

    static String uploadUuid(String pathAndQuery) {
        String path = URI.create(pathAndQuery).getRawPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
