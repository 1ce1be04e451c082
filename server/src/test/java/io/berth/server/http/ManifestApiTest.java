package io.berth.server.http;

import static io.berth.server.http.Api.expect;
import static io.berth.server.http.Api.expectError;
import static io.berth.server.http.Fixtures.DOCKER_LIST;
import static io.berth.server.http.Fixtures.DOCKER_CONFIG;
import static io.berth.server.http.Fixtures.DOCKER_MANIFEST;
import static io.berth.server.http.Fixtures.OCI_CONFIG;
import static io.berth.server.http.Fixtures.OCI_INDEX;
import static io.berth.server.http.Fixtures.OCI_LAYER;
import static io.berth.server.http.Fixtures.OCI_MANIFEST;
import static io.berth.server.http.Fixtures.bytes;
import static io.berth.server.http.Fixtures.descriptor;
import static io.berth.server.http.Fixtures.index;
import static io.berth.server.http.Fixtures.platformDescriptor;
import static io.berth.server.http.Fixtures.pushBlob;
import static io.berth.server.http.Fixtures.pushBlobs;
import static io.berth.server.http.Fixtures.pushImage;
import static io.berth.server.http.Fixtures.sha256;
import static io.berth.server.http.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.manifest.LayerUrls;
import io.berth.core.manifest.MediaTypes;
import io.berth.server.http.Fixtures.Image;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Manifests: end-3 (GET/HEAD), end-7 (PUT), end-7b (?tag=), validation and content negotiation. */
class ManifestApiTest extends ApiTestBase {
    static final String REPO = "acme/app";
    static final String M = "/v2/" + REPO + "/manifests/";

    /** GET by the reference returns exactly these bytes with this type and digest; HEAD agrees. */
    void assertManifest(String ref, byte[] bytes, String mediaType) {
        Api.Resp r = expect(200, api.get(M + ref));
        assertArrayEquals(bytes, r.body(), () -> "bytes of " + ref + " changed:\n" + r.text());
        assertEquals(mediaType, r.header("Content-Type"));
        assertEquals(sha256(bytes), r.header("Docker-Content-Digest"));
        assertEquals(bytes.length, r.contentLength());
        Api.Resp h = expect(200, api.head(M + ref));
        assertEquals(0, h.body().length);
        assertEquals(bytes.length, h.contentLength());
        assertEquals(mediaType, h.header("Content-Type"));
        assertEquals(sha256(bytes), h.header("Docker-Content-Digest"));
    }

    void assertTag(String tag, String digest) {
        assertEquals(digest, expect(200, api.head(M + tag)).header("Docker-Content-Digest"), "tag " + tag);
    }

    Api.Resp putManifest(String ref, byte[] body, String contentType) {
        return api.put(M + ref, body, "Content-Type", contentType);
    }

    // ------------------------------------------------------------------ happy paths

    @Test
    void putOciManifestByTagKeepsExactBytes() throws Exception {
        Image img = Fixtures.ociImage(1);
        pushBlobs(api, REPO, img);
        Api.Resp r = expect(201, putManifest("v1", img.manifest(), OCI_MANIFEST));
        String d = sha256(img.manifest());
        assertEquals(d, r.header("Docker-Content-Digest"));
        assertEquals(api.base + M + d, r.header("Location"));
        assertEquals(0, r.body().length);

        assertManifest("v1", img.manifest(), OCI_MANIFEST);
        assertManifest(d, img.manifest(), OCI_MANIFEST);
        // the Location works
        assertArrayEquals(img.manifest(), expect(200, api.get(r.header("Location"))).body());

        if (srv.onDisk()) {
            Path repo = srv.repoDir(REPO);
            assertArrayEquals(img.manifest(), Files.readAllBytes(srv.blobData(d)));
            assertEquals(d, Files.readString(repo.resolve("_manifests/revisions/sha256/" + d.substring(7) + "/link")));
            assertEquals(d, Files.readString(repo.resolve("_manifests/tags/v1/current/link")));
            assertEquals(d, Files.readString(repo.resolve("_manifests/tags/v1/index/sha256/" + d.substring(7)
                    + "/link")));
        }
    }

    @Test
    void manifestWithoutContentTypeUsesItsMediaTypeField() {
        Image img = Fixtures.ociImage(2);
        pushBlobs(api, REPO, img);
        expect(201, api.put(M + "v1", img.manifest()));
        assertManifest("v1", img.manifest(), OCI_MANIFEST);
    }

    @Test
    void contentTypeWithParametersIsAccepted() {
        Image img = Fixtures.ociImage(3);
        pushBlobs(api, REPO, img);
        expect(201, putManifest("v1", img.manifest(), OCI_MANIFEST + "; charset=utf-8"));
        assertManifest("v1", img.manifest(), OCI_MANIFEST);
    }

    @Test
    void ociManifestWithoutMediaTypeFieldTakesTheContentType() {
        byte[] config = utf8("{\"c\":1}");
        byte[] layer = bytes(100, 4);
        pushBlob(api, REPO, config);
        pushBlob(api, REPO, layer);
        byte[] m = utf8("{\"schemaVersion\":2,\"config\":" + descriptor(OCI_CONFIG, config) + ",\"layers\":["
                + descriptor(OCI_LAYER, layer) + "]}");
        expect(201, putManifest("v1", m, OCI_MANIFEST));
        assertManifest("v1", m, OCI_MANIFEST);
    }

    @Test
    void dockerSchema2Manifest() {
        Image img = Fixtures.dockerImage(5);
        String d = pushImage(api, REPO, "docker", img);
        assertManifest("docker", img.manifest(), DOCKER_MANIFEST);
        assertManifest(d, img.manifest(), DOCKER_MANIFEST);
    }

    @Test
    void ociIndexOfExistingChildren() {
        Image amd = Fixtures.ociImage(6);
        Image arm = Fixtures.ociImage(7);
        pushImage(api, REPO, amd.digest(), amd);
        pushImage(api, REPO, arm.digest(), arm);
        byte[] idx = index(OCI_INDEX, platformDescriptor(OCI_MANIFEST, amd.manifest(), "amd64"),
                platformDescriptor(OCI_MANIFEST, arm.manifest(), "arm64"));
        Api.Resp r = expect(201, putManifest("multi", idx, OCI_INDEX));
        assertEquals(sha256(idx), r.header("Docker-Content-Digest"));
        assertManifest("multi", idx, OCI_INDEX);
        assertManifest(sha256(idx), idx, OCI_INDEX);
        // the children are untouched
        assertManifest(amd.digest(), amd.manifest(), OCI_MANIFEST);
    }

    @Test
    void dockerManifestListOfExistingChildren() {
        Image a = Fixtures.dockerImage(8);
        Image b = Fixtures.dockerImage(9);
        pushImage(api, REPO, "a", a);
        pushImage(api, REPO, "b", b);
        byte[] list = index(DOCKER_LIST, platformDescriptor(DOCKER_MANIFEST, a.manifest(), "amd64"),
                platformDescriptor(DOCKER_MANIFEST, b.manifest(), "arm64"));
        expect(201, putManifest("list", list, DOCKER_LIST));
        assertManifest("list", list, DOCKER_LIST);
    }

    /**
     * validation.manifests.urls as distribution reads it: by default no layer may carry a URL; with an
     * allow list, a non-distributable (foreign) layer with an allowed URL need not be in the registry.
     * A URL never excuses a config or an ordinary layer from existing (distribution 2.8 let a Docker
     * layer with any URL through, and answered a refused URL with a 500).
     */
    @Test
    void layerUrlsFollowTheValidationPolicy() throws Exception {
        String foreign = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
        String absent = Fixtures.sha256(utf8("a layer that lives on mcr.microsoft.com"));
        String mcr = "https://mcr.microsoft.com/v2/windows/blobs/" + absent;
        byte[] config = utf8("{\"os\":\"windows\"}");
        Fixtures.pushBlob(api, REPO, config);
        java.util.function.BiFunction<String, String, byte[]> withLayer = (type, urls) -> utf8("{\"schemaVersion\":2,"
                + "\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":" + descriptor(OCI_CONFIG, config)
                + ",\"layers\":[{\"mediaType\":\"" + type + "\",\"digest\":\"" + absent + "\",\"size\":5000,"
                + "\"urls\":[" + urls + "]}]}");
        Image kept = Fixtures.ociImage(61);
        pushImage(api, REPO, "win", kept);

        Api.Resp r = expectError(400, "MANIFEST_INVALID", putManifest("win", withLayer.apply(foreign, "\"" + mcr + "\""),
                OCI_MANIFEST));
        assertTrue(r.text().contains("validation.manifests.urls.allow"), r.text());
        expectError(400, "MANIFEST_INVALID", putManifest("win", withLayer.apply(OCI_LAYER, "\"::::\""), OCI_MANIFEST));
        // a config is not excused by URLs, whatever they say
        byte[] urlConfig = utf8("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + OCI_CONFIG + "\",\"digest\":\"" + absent + "\",\"size\":5,\"urls\":[\"x\"]},\"layers\":[]}");
        expectError(400, "MANIFEST_BLOB_UNKNOWN", putManifest("win", urlConfig, OCI_MANIFEST));
        assertTag("win", kept.digest());

        LayerUrls allowMcr = LayerUrls.of(true, List.of("^https://mcr\\.microsoft\\.com/"), List.of());
        try (TestServer allowing = TestServer.filesystem(tmp.resolve("allowing"), allowMcr)) {
            Api a = allowing.api;
            Fixtures.pushBlob(a, REPO, config);
            byte[] win = withLayer.apply(foreign, "\"" + mcr + "\"");
            expect(201, a.put(M + "win", win, "Content-Type", OCI_MANIFEST));
            assertArrayEquals(win, expect(200, a.get(M + "win", "Accept", OCI_MANIFEST)).body());
            byte[] docker = utf8("{\"schemaVersion\":2,\"mediaType\":\"" + DOCKER_MANIFEST + "\",\"config\":"
                    + descriptor(DOCKER_CONFIG, config) + ",\"layers\":[{\"mediaType\":\"" + MediaTypes.DOCKER_FOREIGN_LAYER
                    + "\",\"digest\":\"" + absent + "\",\"size\":5000,\"urls\":[\"" + mcr + "\"]}]}");
            expect(201, a.put(M + "win-docker", docker, "Content-Type", DOCKER_MANIFEST));
            expectError(400, "MANIFEST_INVALID", a.put(M + "elsewhere",
                    withLayer.apply(foreign, "\"https://example.com/layer\""), "Content-Type", OCI_MANIFEST));
            expectError(400, "MANIFEST_INVALID", a.put(M + "fragment",
                    withLayer.apply(foreign, "\"" + mcr + "#x\""), "Content-Type", OCI_MANIFEST));
            // an ordinary layer must be here even when its URL is allowed
            expectError(400, "MANIFEST_BLOB_UNKNOWN", a.put(M + "ordinary",
                    withLayer.apply(OCI_LAYER, "\"" + mcr + "\""), "Content-Type", OCI_MANIFEST));
        }
    }

    @Test
    void indexWithMissingChildIsRefused() {
        Image amd = Fixtures.ociImage(10);
        Image missing = Fixtures.ociImage(11);
        pushImage(api, REPO, "multi", amd); // the tag exists and must survive
        pushBlobs(api, REPO, missing); // blobs yes, manifest no
        byte[] idx = index(OCI_INDEX, platformDescriptor(OCI_MANIFEST, amd.manifest(), "amd64"),
                platformDescriptor(OCI_MANIFEST, missing.manifest(), "arm64"));
        expectError(400, "MANIFEST_BLOB_UNKNOWN", putManifest("multi", idx, OCI_INDEX));
        expectError(400, "MANIFEST_BLOB_UNKNOWN", putManifest(sha256(idx), idx, OCI_INDEX));
        assertTag("multi", amd.digest());
        expectError(404, "MANIFEST_UNKNOWN", api.get(M + sha256(idx)));
        if (srv.onDisk()) {
            assertFalse(Files.exists(srv.blobData(sha256(idx))));
        }
        // a child that exists only in another repository does not count either
        pushImage(api, "other/repo", "x", missing);
        expectError(400, "MANIFEST_BLOB_UNKNOWN", putManifest("multi", idx, OCI_INDEX));
        assertTag("multi", amd.digest());
    }

    @Test
    void putByMatchingDigest() {
        Image img = Fixtures.ociImage(12);
        pushBlobs(api, REPO, img);
        Api.Resp r = expect(201, putManifest(img.digest(), img.manifest(), OCI_MANIFEST));
        assertEquals(img.digest(), r.header("Docker-Content-Digest"));
        assertEquals(api.base + M + img.digest(), r.header("Location"));
        assertManifest(img.digest(), img.manifest(), OCI_MANIFEST);
        // no tag was made
        assertEquals("[]", expect(200, api.get("/v2/" + REPO + "/tags/list")).json().get("tags").toString());
    }

    @Test
    void putByMismatchingDigest() {
        Image img = Fixtures.ociImage(13);
        Image other = Fixtures.ociImage(14);
        pushImage(api, REPO, "keep", other);
        pushBlobs(api, REPO, img);
        expectError(400, "DIGEST_INVALID", putManifest(other.digest(), img.manifest(), OCI_MANIFEST));
        String wrong = sha256(utf8("nothing"));
        expectError(400, "DIGEST_INVALID", putManifest(wrong, img.manifest(), OCI_MANIFEST));
        expectError(404, "MANIFEST_UNKNOWN", api.get(M + img.digest()));
        expectError(404, "MANIFEST_UNKNOWN", api.get(M + wrong));
        assertManifest(other.digest(), other.manifest(), OCI_MANIFEST);
        assertTag("keep", other.digest());
        if (srv.onDisk()) {
            assertFalse(Files.exists(srv.blobData(img.digest())));
        }
    }

    @Test
    void putBySha512Digest() {
        Image img = Fixtures.ociImage(33);
        pushBlobs(api, REPO, img);
        String d512 = Fixtures.sha512(img.manifest());
        Api.Resp r = expect(201, api.put(M + d512 + "?tag=s512", img.manifest(), "Content-Type", OCI_MANIFEST));
        assertEquals(d512, r.header("Docker-Content-Digest"));
        assertEquals(api.base + M + d512, r.header("Location"));
        Api.Resp g = expect(200, api.get(M + d512));
        assertArrayEquals(img.manifest(), g.body());
        assertEquals(d512, g.header("Docker-Content-Digest"));
        assertEquals(d512, expect(200, api.head(M + "s512")).header("Docker-Content-Digest"));
        // a sha512 digest of other bytes is refused
        expectError(400, "DIGEST_INVALID", api.put(M + Fixtures.sha512(img.config()), img.manifest(),
                "Content-Type", OCI_MANIFEST));
    }

    @Test
    void manifestReferencingSha512Blobs() {
        byte[] config = utf8("{\"sha\":512}");
        byte[] layer = bytes(3000, 34);
        for (byte[] b : new byte[][] {config, layer}) {
            expect(201, api.post("/v2/" + REPO + "/blobs/uploads/?digest=" + Fixtures.sha512(b), b));
        }
        byte[] m = utf8("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":"
                + descriptor(OCI_CONFIG, Fixtures.sha512(config), config.length) + ",\"layers\":["
                + descriptor(OCI_LAYER, Fixtures.sha512(layer), layer.length) + "]}");
        expect(201, putManifest("v512", m, OCI_MANIFEST));
        assertManifest("v512", m, OCI_MANIFEST);
    }

    @Test
    void indexChildThatIsOnlyABlobIsRefused() {
        Image child = Fixtures.ociImage(35);
        Fixtures.pushBlobs(api, REPO, child);
        pushBlob(api, REPO, child.manifest()); // uploaded as a blob, never pushed as a manifest
        byte[] idx = index(OCI_INDEX, platformDescriptor(OCI_MANIFEST, child.manifest(), "amd64"));
        expectError(400, "MANIFEST_BLOB_UNKNOWN", putManifest("multi", idx, OCI_INDEX));
        expectError(404, "MANIFEST_UNKNOWN", api.get(M + child.digest()));
    }

    @Test
    void putByMalformedDigest() {
        Image img = Fixtures.ociImage(15);
        pushBlobs(api, REPO, img);
        expectError(400, "DIGEST_INVALID", putManifest("sha256:abc", img.manifest(), OCI_MANIFEST));
        expectError(400, "DIGEST_INVALID", putManifest("md5:d41d8cd98f00b204e9800998ecf8427e", img.manifest(),
                OCI_MANIFEST));
        expectError(404, "MANIFEST_UNKNOWN", api.get(M + img.digest()));
    }

    @Test
    void manifestReferencingMissingBlobs() {
        Image old = Fixtures.ociImage(16);
        pushImage(api, REPO, "v1", old);
        Image img = Fixtures.ociImage(17);
        // neither
        expectError(400, "MANIFEST_BLOB_UNKNOWN", putManifest("v1", img.manifest(), OCI_MANIFEST));
        // only the config
        pushBlob(api, REPO, img.config());
        Api.Resp r = expectError(400, "MANIFEST_BLOB_UNKNOWN", putManifest("v1", img.manifest(), OCI_MANIFEST));
        assertTrue(r.text().contains(sha256(img.layer())), r::toString);
        // the layer is in another repository only
        pushBlob(api, "other/repo", img.layer());
        expectError(400, "MANIFEST_BLOB_UNKNOWN", putManifest("v1", img.manifest(), OCI_MANIFEST));
        expectError(400, "MANIFEST_BLOB_UNKNOWN", putManifest(img.digest(), img.manifest(), OCI_MANIFEST));
        assertTag("v1", old.digest());
        expectError(404, "MANIFEST_UNKNOWN", api.get(M + img.digest()));
        // and once it is there, the push works
        pushBlob(api, REPO, img.layer());
        expect(201, putManifest("v1", img.manifest(), OCI_MANIFEST));
        assertTag("v1", img.digest());
    }

    @Test
    void manifestWithMissingConfigIsRefused() {
        Image img = Fixtures.dockerImage(18);
        pushBlob(api, REPO, img.layer());
        expectError(400, "MANIFEST_BLOB_UNKNOWN", putManifest("v1", img.manifest(), DOCKER_MANIFEST));
        expectError(404, "MANIFEST_UNKNOWN", api.get(M + "v1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{not json",
        "",
        "[]",
        "\"a string\"",
        "{}",
        "{\"schemaVersion\":\"2\"}",
        "{\"schemaVersion\":3,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{}}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
            + "{\"mediaType\":\"a/b\",\"digest\":\"sha256:zz\",\"size\":1}}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
            + "{\"mediaType\":\"a/b\",\"digest\":"
            + "\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
            + "\"size\":-1}}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
            + "{\"mediaType\":\"a/b\",\"digest\":"
            + "\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
            + "\"size\":0},\"layers\":{}}",
        "{\"schemaVersion\":2,\"schemaVersion\":2}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]} trailing",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\"}",
        "{\"schemaVersion\":2,\"mediaType\":\"text/html\",\"manifests\":[]}",
        "{\"schemaVersion\":1,\"name\":\"acme/app\",\"tag\":\"v1\",\"fsLayers\":[]}"})
    void invalidManifestIsRefused(String body) {
        Image old = Fixtures.ociImage(19);
        pushImage(api, REPO, "v1", old);
        expectError(400, "MANIFEST_INVALID", putManifest("v1", utf8(body), contentTypeFor(body)));
        assertTag("v1", old.digest());
        assertManifest("v1", old.manifest(), OCI_MANIFEST);
        assertEquals(List.of("v1"), tags());
    }

    private static String contentTypeFor(String body) {
        if (body.contains("index")) {
            return OCI_INDEX;
        }
        if (body.contains("text/html")) {
            return "text/html";
        }
        if (body.contains("schemaVersion\":1")) {
            return "application/vnd.docker.distribution.manifest.v1+json";
        }
        return OCI_MANIFEST;
    }

    List<String> tags() {
        List<String> out = new java.util.ArrayList<>();
        expect(200, api.get("/v2/" + REPO + "/tags/list")).json().get("tags").forEach(t -> out.add(t.asText()));
        return out;
    }

    @Test
    void mediaTypeFieldContradictingContentTypeIsRefused() {
        Image old = Fixtures.ociImage(20);
        pushImage(api, REPO, "v1", old);
        Image img = Fixtures.ociImage(21);
        pushBlobs(api, REPO, img);
        expectError(400, "MANIFEST_INVALID", putManifest("v1", img.manifest(), DOCKER_MANIFEST));
        expectError(400, "MANIFEST_INVALID", putManifest("v1", img.manifest(), OCI_INDEX));
        Image docker = Fixtures.dockerImage(22);
        pushBlobs(api, REPO, docker);
        expectError(400, "MANIFEST_INVALID", putManifest("v1", docker.manifest(), OCI_MANIFEST));
        assertTag("v1", old.digest());
        expectError(404, "MANIFEST_UNKNOWN", api.get(M + img.digest()));
        expectError(404, "MANIFEST_UNKNOWN", api.get(M + docker.digest()));
    }

    @Test
    void manifestOverFourMebibytesIs413() {
        Image old = Fixtures.ociImage(23);
        pushImage(api, REPO, "v1", old);
        // valid JSON, just too big: a long annotation
        String pad = "x".repeat((4 << 20) + 10);
        byte[] big = utf8("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":"
                + descriptor(OCI_CONFIG, old.config()) + ",\"layers\":[],\"annotations\":{\"pad\":\"" + pad + "\"}}");
        Api.Resp r = putManifest("v1", big, OCI_MANIFEST);
        assertEquals(413, r.status(), r::toString);
        // the same without a Content-Length
        r = api.putStreamed(M + "v1", big, "Content-Type", OCI_MANIFEST);
        assertEquals(413, r.status(), r::toString);
        assertTag("v1", old.digest());
        expectError(404, "MANIFEST_UNKNOWN", api.get(M + sha256(big)));
        // exactly at the limit is fine as far as size goes
        byte[] atLimit = utf8("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":"
                + descriptor(OCI_CONFIG, old.config()) + ",\"layers\":[],\"annotations\":{\"pad\":\"");
        byte[] tail = utf8("\"}}");
        byte[] body = new byte[4 << 20];
        System.arraycopy(atLimit, 0, body, 0, atLimit.length);
        Arrays.fill(body, atLimit.length, body.length - tail.length, (byte) 'y');
        System.arraycopy(tail, 0, body, body.length - tail.length, tail.length);
        expect(201, putManifest("big", body, OCI_MANIFEST));
        assertManifest("big", body, OCI_MANIFEST);
    }

    @Test
    void unknownManifests() {
        Image img = Fixtures.ociImage(24);
        pushImage(api, REPO, "v1", img);
        expectError(404, "MANIFEST_UNKNOWN", api.get(M + "v2"));
        expectError(404, "MANIFEST_UNKNOWN", api.head(M + "v2"));
        String unknown = sha256(utf8("unknown"));
        expectError(404, "MANIFEST_UNKNOWN", api.get(M + unknown));
        expectError(404, "MANIFEST_UNKNOWN", api.head(M + unknown));
        // a blob is no manifest
        expectError(404, "MANIFEST_UNKNOWN", api.get(M + sha256(img.layer())));
        // a manifest of another repository is unknown here
        pushImage(api, "acme/other", "v1", Fixtures.ociImage(124));
        expectError(404, "MANIFEST_UNKNOWN", api.get("/v2/acme/other/manifests/" + img.digest()));
        expectError(404, "MANIFEST_UNKNOWN", api.head("/v2/acme/other/manifests/" + img.digest()));
        Api.Resp r = api.get("/v2/never/pushed/manifests/latest");
        assertEquals(404, r.status(), r::toString);
        assertTrue(List.of("MANIFEST_UNKNOWN", "NAME_UNKNOWN").contains(r.errorCode()), r::toString);
    }

    @Test
    void invalidTagsAndDigestsInTheUrl() {
        Image img = Fixtures.ociImage(25);
        pushBlobs(api, REPO, img);
        for (String tag : new String[] {"-dash", ".dot", "a".repeat(129), "t%21"}) {
            Api.Resp r = putManifest(tag, img.manifest(), OCI_MANIFEST);
            assertEquals(400, r.status(), r::toString);
            assertTrue(List.of("TAG_INVALID", "MANIFEST_INVALID", "NAME_INVALID").contains(r.errorCode()), r::toString);
            // reading or deleting one finds no manifest: 404, as the conformance suite's
            // "GET/HEAD nonexistent manifest" (reference .INVALID_MANIFEST_NAME) expects
            expectError(404, "MANIFEST_UNKNOWN", api.get(M + tag));
            assertEquals(404, api.head(M + tag).status());
            expectError(404, "MANIFEST_UNKNOWN", api.delete(M + tag));
        }
        expectError(404, "MANIFEST_UNKNOWN", api.get(M + ".INVALID_MANIFEST_NAME"));
        expectError(404, "MANIFEST_UNKNOWN", api.get("/v2/never/pushed/manifests/.INVALID_MANIFEST_NAME"));
        expectError(400, "DIGEST_INVALID", api.get(M + "sha256:abc"));
        expectError(400, "DIGEST_INVALID", api.head(M + "sha256:abc"));
        // the longest valid tag
        String longest = "_" + "a".repeat(127);
        expect(201, putManifest(longest, img.manifest(), OCI_MANIFEST));
        assertTag(longest, img.digest());
    }

    @Test
    void retaggingMovesTheTagAndKeepsTheOldManifest() throws Exception {
        Image one = Fixtures.ociImage(26);
        Image two = Fixtures.ociImage(27);
        pushImage(api, REPO, "latest", one);
        pushImage(api, REPO, "latest", two);
        assertTag("latest", two.digest());
        assertManifest(one.digest(), one.manifest(), OCI_MANIFEST);
        if (srv.onDisk()) {
            Path idx = srv.repoDir(REPO).resolve("_manifests/tags/latest/index/sha256");
            assertTrue(Files.exists(idx.resolve(one.digest().substring(7) + "/link")));
            assertTrue(Files.exists(idx.resolve(two.digest().substring(7) + "/link")));
        }
        // pushing the same manifest again is idempotent
        expect(201, putManifest("latest", two.manifest(), OCI_MANIFEST));
        assertTag("latest", two.digest());
    }

    // ------------------------------------------------------------------ content negotiation

    @Test
    void acceptNegotiation() {
        Image oci = Fixtures.ociImage(28);
        Image docker = Fixtures.dockerImage(29);
        pushImage(api, REPO, "oci", oci);
        pushImage(api, REPO, "docker", docker);
        String dockerOnly = DOCKER_MANIFEST + ", " + DOCKER_LIST;

        expectError(404, "MANIFEST_UNKNOWN", api.get(M + "oci", "Accept", dockerOnly));
        expectError(404, "MANIFEST_UNKNOWN", api.head(M + "oci", "Accept", dockerOnly));
        expectError(404, "MANIFEST_UNKNOWN", api.get(M + oci.digest(), "Accept", dockerOnly));
        expectError(404, "MANIFEST_UNKNOWN", api.get(M + "docker", "Accept", OCI_MANIFEST));

        // no Accept, a wildcard, the right type (with parameters), or the type among several
        assertArrayEquals(oci.manifest(), expect(200, api.get(M + "oci")).body());
        expect(200, api.get(M + "oci", "Accept", "*/*"));
        expect(200, api.get(M + "oci", "Accept", OCI_MANIFEST));
        expect(200, api.get(M + "oci", "Accept", OCI_MANIFEST + "; q=0.9"));
        expect(200, api.get(M + "oci", "Accept", dockerOnly + ", " + OCI_MANIFEST + ", " + OCI_INDEX));
        expect(200, api.get(M + "docker", "Accept", dockerOnly));
        // as separate header lines
        expect(200, api.get(M + "oci", "Accept", DOCKER_MANIFEST, "Accept", OCI_MANIFEST));
        // only non-manifest types: anything goes
        expect(200, api.get(M + "oci", "Accept", "application/json"));
    }

    // ------------------------------------------------------------------ end-7b

    @Test
    void putByDigestWithSeveralTags() {
        Image img = Fixtures.ociImage(30);
        pushBlobs(api, REPO, img);
        Api.Resp r = expect(201, api.put(M + img.digest() + "?tag=a&tag=b&tag=1.0", img.manifest(),
                "Content-Type", OCI_MANIFEST));
        assertEquals(List.of("a", "b", "1.0"), r.headerValues("OCI-Tag").stream()
                .flatMap(v -> Arrays.stream(v.split(",\\s*"))).toList());
        assertEquals(img.digest(), r.header("Docker-Content-Digest"));
        assertTag("a", img.digest());
        assertTag("b", img.digest());
        assertTag("1.0", img.digest());
        assertEquals(List.of("1.0", "a", "b"), tags());
    }

    @Test
    void putWithAnInvalidExtraTagStoresNothing() {
        Image old = Fixtures.ociImage(31);
        pushImage(api, REPO, "a", old);
        Image img = Fixtures.ociImage(32);
        pushBlobs(api, REPO, img);
        Api.Resp r = api.put(M + img.digest() + "?tag=a&tag=-bad", img.manifest(), "Content-Type", OCI_MANIFEST);
        assertEquals(400, r.status(), r::toString);
        assertTag("a", old.digest());
        expectError(404, "MANIFEST_UNKNOWN", api.get(M + img.digest()));
    }
}
