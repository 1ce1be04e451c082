package io.berth.server.http;

import static io.berth.server.http.Api.expect;
import static io.berth.server.http.Api.expectError;
import static io.berth.server.http.Fixtures.bytes;
import static io.berth.server.http.Fixtures.pushBlob;
import static io.berth.server.http.Fixtures.sha256;
import static io.berth.server.http.Fixtures.sha512;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Blob uploads: end-4a/b/c, end-5, end-6, end-13, end-14 and mounts (end-11). */
class UploadApiTest extends ApiTestBase {
    static final String REPO = "team/uploads";
    static final String UPLOADS = "/v2/" + REPO + "/blobs/uploads/";

    /** POST; asserts the 202 answer and returns the Location to continue at. */
    String startUpload(String repo) {
        Api.Resp r = expect(202, api.post("/v2/" + repo + "/blobs/uploads/", null));
        String location = r.header("Location");
        String uuid = r.header("Docker-Upload-UUID");
        assertNotNull(location, r::toString);
        assertNotNull(uuid, r::toString);
        assertEquals(api.base + "/v2/" + repo + "/blobs/uploads/" + uuid, location);
        assertEquals("0-0", r.header("Range"));
        assertEquals(0, r.body().length);
        return location;
    }

    static String uuidOf(String location) {
        return location.substring(location.lastIndexOf('/') + 1);
    }

    static String withDigest(String location, String digest) {
        return location + (location.contains("?") ? "&" : "?") + "digest=" + digest;
    }

    void assertBlob(String repo, String digest, byte[] content) {
        Api.Resp r = expect(200, api.get("/v2/" + repo + "/blobs/" + digest));
        assertArrayEquals(content, r.body());
        assertEquals(digest, r.header("Docker-Content-Digest"));
    }

    void assertNoUploadsLeft(String repo) {
        if (srv.onDisk()) {
            assertEquals(List.of(), srv.files(srv.repoDir(repo).resolve("_uploads")));
        }
    }

    // ------------------------------------------------------------------ end-4a

    @Test
    void postStartsAnUploadSession() throws Exception {
        String location = startUpload(REPO);
        String uuid = uuidOf(location);
        assertTrue(uuid.matches("[0-9a-f-]{36}"), uuid);
        Api.Resp status = expect(204, api.get(location));
        assertEquals("0-0", status.header("Range"));
        assertEquals(uuid, status.header("Docker-Upload-UUID"));
        assertEquals(location, status.header("Location"));
        if (srv.onDisk()) {
            assertTrue(Files.isRegularFile(srv.repoDir(REPO).resolve("_uploads/" + uuid + "/data")));
            assertTrue(Files.isRegularFile(srv.repoDir(REPO).resolve("_uploads/" + uuid + "/startedat")));
        }
        // two POSTs, two sessions
        assertFalse(uuid.equals(uuidOf(startUpload(REPO))));
    }

    // ------------------------------------------------------------------ end-4b

    @Test
    void monolithicPost() throws Exception {
        byte[] content = bytes(70_000, 10);
        String d = sha256(content);
        Api.Resp r = expect(201, api.post(UPLOADS + "?digest=" + d, content,
                "Content-Type", "application/octet-stream"));
        assertEquals(api.base + "/v2/" + REPO + "/blobs/" + d, r.header("Location"));
        assertEquals(d, r.header("Docker-Content-Digest"));
        assertBlob(REPO, d, content);
        assertNoUploadsLeft(REPO);
        if (srv.onDisk()) {
            assertArrayEquals(content, Files.readAllBytes(srv.blobData(d)));
        }
        // the same content again is fine and changes nothing
        expect(201, api.post(UPLOADS + "?digest=" + d, content, "Content-Type", "application/octet-stream"));
        assertBlob(REPO, d, content);
    }

    @Test
    void monolithicPostOfTheEmptyBlob() {
        String d = sha256(new byte[0]);
        expect(201, api.post(UPLOADS + "?digest=" + d, new byte[0]));
        assertBlob(REPO, d, new byte[0]);
    }

    @Test
    void monolithicPostWithWrongDigestLeavesNothing() {
        byte[] content = bytes(5000, 11);
        String claimed = sha256(bytes(5000, 12));
        expectError(400, "DIGEST_INVALID", api.post(UPLOADS + "?digest=" + claimed, content,
                "Content-Type", "application/octet-stream"));
        expectError(404, "BLOB_UNKNOWN", api.head("/v2/" + REPO + "/blobs/" + claimed));
        expectError(404, "BLOB_UNKNOWN", api.head("/v2/" + REPO + "/blobs/" + sha256(content)));
        assertNoUploadsLeft(REPO);
        if (srv.onDisk()) {
            assertEquals(List.of(), srv.blobFiles());
        }
    }

    @Test
    void monolithicPostWithMalformedDigest() {
        expectError(400, "DIGEST_INVALID", api.post(UPLOADS + "?digest=sha256:abc", new byte[] {1, 2}));
        expectError(400, "DIGEST_INVALID", api.post(UPLOADS + "?digest=md5:d41d8cd98f00b204e9800998ecf8427e",
                new byte[] {1, 2}));
        assertNoUploadsLeft(REPO);
    }

    // ------------------------------------------------------------------ end-4c

    @Test
    void sha512Upload() throws Exception {
        byte[] content = bytes(33_333, 13);
        String d = sha512(content);
        Api.Resp r = expect(202, api.post(UPLOADS + "?digest-algorithm=sha512", null));
        String location = r.header("Location");
        r = expect(202, api.patch(location, Arrays.copyOfRange(content, 0, 10_000),
                "Content-Type", "application/octet-stream", "Content-Range", "0-9999"));
        r = expect(201, api.put(withDigest(r.header("Location"), d), Arrays.copyOfRange(content, 10_000, 33_333),
                "Content-Type", "application/octet-stream"));
        assertEquals(d, r.header("Docker-Content-Digest"));
        assertEquals(api.base + "/v2/" + REPO + "/blobs/" + d, r.header("Location"));
        assertBlob(REPO, d, content);
        assertEquals(content.length, expect(200, api.head("/v2/" + REPO + "/blobs/" + d)).contentLength());
        if (srv.onDisk()) {
            assertArrayEquals(content, Files.readAllBytes(srv.blobData(d)));
            assertTrue(srv.blobData(d).toString().contains("/blobs/sha512/"));
        }
        // not under its sha256 name
        expectError(404, "BLOB_UNKNOWN", api.get("/v2/" + REPO + "/blobs/" + sha256(content)));
    }

    @Test
    void sha512MonolithicPost() {
        byte[] content = bytes(1234, 14);
        String d = sha512(content);
        Api.Resp r = expect(201, api.post(UPLOADS + "?digest=" + d, content));
        assertEquals(d, r.header("Docker-Content-Digest"));
        assertBlob(REPO, d, content);
    }

    @ParameterizedTest
    @ValueSource(strings = {"md5", "sha1", "blake3", "SHA256", "sha384", ""})
    void unsupportedDigestAlgorithm(String alg) {
        Api.Resp r = api.post(UPLOADS + "?digest-algorithm=" + alg, null);
        if (alg.isEmpty()) {
            return; // an empty parameter may be read as "absent"; Api has checked it is no 5xx
        }
        expectError(400, "DIGEST_INVALID", r);
        assertNoUploadsLeft(REPO);
    }

    // ------------------------------------------------------------------ end-5, end-13

    @Test
    void chunkedUploadWithOutOfOrderChunk() throws Exception {
        byte[] content = bytes(25_000, 15);
        String location = startUpload(REPO);

        Api.Resp r = expect(202, api.patch(location, Arrays.copyOfRange(content, 0, 10_000),
                "Content-Type", "application/octet-stream", "Content-Range", "0-9999"));
        assertEquals("0-9999", r.header("Range"));
        assertEquals(uuidOf(location), r.header("Docker-Upload-UUID"));
        location = r.header("Location");

        r = expect(202, api.patch(location, Arrays.copyOfRange(content, 10_000, 15_000),
                "Content-Type", "application/octet-stream", "Content-Range", "10000-14999"));
        assertEquals("0-14999", r.header("Range"));
        location = r.header("Location");

        // a gap, an overlap, and a replay of the first chunk: each 416, nothing written
        expectError(416, "RANGE_INVALID", api.patch(location, Arrays.copyOfRange(content, 20_000, 25_000),
                "Content-Type", "application/octet-stream", "Content-Range", "20000-24999"));
        expectError(416, "RANGE_INVALID", api.patch(location, Arrays.copyOfRange(content, 14_000, 16_000),
                "Content-Type", "application/octet-stream", "Content-Range", "14000-15999"));
        expectError(416, "RANGE_INVALID", api.patch(location, Arrays.copyOfRange(content, 0, 10_000),
                "Content-Type", "application/octet-stream", "Content-Range", "0-9999"));

        r = expect(204, api.get(location));
        assertEquals("0-14999", r.header("Range"));
        assertEquals(uuidOf(location), r.header("Docker-Upload-UUID"));
        assertEquals(0, r.body().length);
        if (srv.onDisk()) {
            assertArrayEquals(Arrays.copyOfRange(content, 0, 15_000),
                    Files.readAllBytes(srv.repoDir(REPO).resolve("_uploads/" + uuidOf(location) + "/data")));
        }

        // resumes where it really is
        r = expect(202, api.patch(location, Arrays.copyOfRange(content, 15_000, 25_000),
                "Content-Type", "application/octet-stream", "Content-Range", "15000-24999"));
        assertEquals("0-24999", r.header("Range"));
        String d = sha256(content);
        r = expect(201, api.put(withDigest(r.header("Location"), d), null));
        assertEquals(d, r.header("Docker-Content-Digest"));
        assertBlob(REPO, d, content);
        assertNoUploadsLeft(REPO);
    }

    @Test
    void contentRangeNotMatchingContentLengthIsRefused() {
        byte[] content = bytes(100, 16);
        String location = startUpload(REPO);
        expectError(400, "SIZE_INVALID", api.patch(location, content, "Content-Range", "0-49"));
        Api.Resp r = api.patch(location, content, "Content-Range", "not-a-range");
        assertTrue(r.status() == 400 || r.status() == 416, r::toString);
        r = api.patch(location, content, "Content-Range", "50-10");
        assertTrue(r.status() == 400 || r.status() == 416, r::toString);
        // numbers past a long: still the client's error, not a 500
        expectError(416, "BLOB_UPLOAD_INVALID", api.patch(location, content, "Content-Range", "0-99999999999999999999"));
        assertEquals("0-0", expect(204, api.get(location)).header("Range"));
        // and the upload still works
        String d = sha256(content);
        expect(202, api.patch(location, content, "Content-Range", "0-99"));
        expect(201, api.put(withDigest(location, d), null));
        assertBlob(REPO, d, content);
    }

    @Test
    void streamedPatchWithoutContentRange() {
        byte[] content = bytes(300_000, 17);
        String location = startUpload(REPO);
        // chunked transfer encoding, no Content-Length, no Content-Range
        Api.Resp r = expect(202, api.patchStreamed(location, Arrays.copyOfRange(content, 0, 200_000),
                "Content-Type", "application/octet-stream"));
        assertEquals("0-199999", r.header("Range"));
        // with Content-Length but no Content-Range (what docker sends): appended as well
        r = expect(202, api.patch(r.header("Location"), Arrays.copyOfRange(content, 200_000, 300_000),
                "Content-Type", "application/octet-stream"));
        assertEquals("0-299999", r.header("Range"));
        assertEquals("0-299999", expect(204, api.get(location)).header("Range"));
        String d = sha256(content);
        expect(201, api.put(withDigest(r.header("Location"), d), null));
        assertBlob(REPO, d, content);
    }

    @Test
    void emptyPatchChangesNothing() {
        String location = startUpload(REPO);
        Api.Resp r = expect(202, api.patch(location, new byte[0]));
        assertEquals("0-0", r.header("Range"));
        expect(202, api.patch(location, new byte[] {7}, "Content-Range", "0-0"));
        assertEquals("0-0", expect(204, api.get(location)).header("Range"));
        expect(202, api.patch(location, new byte[] {8}, "Content-Range", "1-1"));
        assertEquals("0-1", expect(204, api.get(location)).header("Range"));
        String d = sha256(new byte[] {7, 8});
        expect(201, api.put(withDigest(location, d), null));
        assertBlob(REPO, d, new byte[] {7, 8});
    }

    // ------------------------------------------------------------------ end-6

    @Test
    void putWithFinalChunk() {
        byte[] content = bytes(9000, 18);
        String location = startUpload(REPO);
        Api.Resp r = expect(202, api.patch(location, Arrays.copyOfRange(content, 0, 4000),
                "Content-Range", "0-3999"));
        String d = sha256(content);
        r = expect(201, api.put(withDigest(r.header("Location"), d), Arrays.copyOfRange(content, 4000, 9000),
                "Content-Type", "application/octet-stream"));
        assertEquals(api.base + "/v2/" + REPO + "/blobs/" + d, r.header("Location"));
        assertEquals(d, r.header("Docker-Content-Digest"));
        assertBlob(REPO, d, content);
        expectError(404, "BLOB_UPLOAD_UNKNOWN", api.get(location));
        assertNoUploadsLeft(REPO);
    }

    @Test
    void putWithFinalChunkAndContentRange() {
        byte[] content = bytes(9000, 19);
        String location = startUpload(REPO);
        expect(202, api.patch(location, Arrays.copyOfRange(content, 0, 4000), "Content-Range", "0-3999"));
        String d = sha256(content);
        // the final chunk claims the wrong start: refused and the upload kept
        expectError(416, "RANGE_INVALID", api.put(withDigest(location, d), Arrays.copyOfRange(content, 4000, 9000),
                "Content-Range", "4001-9000"));
        assertEquals("0-3999", expect(204, api.get(location)).header("Range"));
        expect(201, api.put(withDigest(location, d), Arrays.copyOfRange(content, 4000, 9000),
                "Content-Range", "4000-8999"));
        assertBlob(REPO, d, content);
    }

    @Test
    void putWithStreamedFinalChunk() {
        byte[] content = bytes(5000, 20);
        String location = startUpload(REPO);
        String d = sha256(content);
        expect(201, api.putStreamed(withDigest(location, d), content));
        assertBlob(REPO, d, content);
    }

    @Test
    void putWithoutFinalChunk() {
        byte[] content = bytes(64 * 1024 + 1, 21);
        String location = startUpload(REPO);
        Api.Resp r = expect(202, api.patch(location, content));
        String d = sha256(content);
        r = expect(201, api.put(withDigest(r.header("Location"), d), null));
        assertEquals(d, r.header("Docker-Content-Digest"));
        assertBlob(REPO, d, content);
    }

    @Test
    void putWithWrongDigestMakesNothingVisible() {
        byte[] content = bytes(12_345, 22);
        String location = startUpload(REPO);
        expect(202, api.patch(location, content));
        String claimed = sha256(bytes(12_345, 23));
        expectError(400, "DIGEST_INVALID", api.put(withDigest(location, claimed), null));
        expectError(404, "BLOB_UNKNOWN", api.head("/v2/" + REPO + "/blobs/" + claimed));
        expectError(404, "BLOB_UNKNOWN", api.head("/v2/" + REPO + "/blobs/" + sha256(content)));
        expectError(404, "BLOB_UNKNOWN", api.get("/v2/" + REPO + "/blobs/" + claimed));
        if (srv.onDisk()) {
            assertEquals(List.of(), srv.blobFiles());
            assertFalse(Files.exists(srv.repoDir(REPO).resolve("_layers")));
        }
        // the failed upload is discarded, as distribution does
        expectError(404, "BLOB_UPLOAD_UNKNOWN", api.get(location));
        assertNoUploadsLeft(REPO);
    }

    @Test
    void putWithWrongDigestAndFinalChunk() {
        byte[] content = bytes(2000, 24);
        String location = startUpload(REPO);
        String claimed = sha256(Arrays.copyOfRange(content, 0, 1999));
        expectError(400, "DIGEST_INVALID", api.put(withDigest(location, claimed), content));
        expectError(404, "BLOB_UNKNOWN", api.head("/v2/" + REPO + "/blobs/" + claimed));
        if (srv.onDisk()) {
            assertEquals(List.of(), srv.blobFiles());
        }
    }

    @Test
    void putWithoutDigestIs400AndKeepsTheUpload() {
        byte[] content = bytes(100, 25);
        String location = startUpload(REPO);
        expect(202, api.patch(location, content));
        expectError(400, "DIGEST_INVALID", api.put(location, null));
        expectError(400, "DIGEST_INVALID", api.put(location + "?digest=", null));
        expectError(400, "DIGEST_INVALID", api.put(location + "?digest=sha256:1234", null));
        assertEquals("0-99", expect(204, api.get(location)).header("Range"));
        if (srv.onDisk()) {
            assertEquals(List.of(), srv.blobFiles());
        }
        expect(201, api.put(withDigest(location, sha256(content)), null));
        assertBlob(REPO, sha256(content), content);
    }

    // ------------------------------------------------------------------ unknown uploads

    @ParameterizedTest
    @ValueSource(strings = {"random", "abc", "..", "...", "x.y", "ABCDEF00-0000-0000-0000-000000000000",
        "%2E%2E", "00000000-0000-0000-0000-00000000000g"})
    void unknownUploadIds(String id) {
        String uuid = id.equals("random") ? UUID.randomUUID().toString() : id;
        String url = UPLOADS + uuid;
        String d = sha256(new byte[] {1});
        List<Api.Resp> answers = List.of(
                api.get(url),
                api.patch(url, new byte[] {1}),
                api.patch(url, new byte[] {1}, "Content-Range", "0-0"),
                api.put(url + "?digest=" + d, new byte[] {1}),
                api.put(url + "?digest=" + d, null),
                api.delete(url));
        for (Api.Resp r : answers) {
            if (id.equals("..") || id.equals("%2E%2E")) {
                // dot segments are resolved by HTTP path normalisation; the target is no upload
                assertTrue(r.status() >= 400 && r.status() < 500, r::toString);
            } else {
                expectError(404, "BLOB_UPLOAD_UNKNOWN", r);
            }
        }
        if (srv.onDisk()) {
            assertEquals(List.of(), srv.blobFiles());
        }
    }

    @Test
    void pathTraversalUploadIdsOverRawSocket() throws Exception {
        // create something a traversal could hit
        String other = startUpload("victim/repo");
        for (String target : new String[] {
            UPLOADS + "../../x",
            UPLOADS + "..%2F..%2Fx",
            UPLOADS + "%2e%2e%2f%2e%2e%2fvictim%2frepo%2fblobs%2fuploads%2f" + uuidOf(other),
            UPLOADS + "..;/..;/x",
            UPLOADS + "..\\..\\x"}) {
            for (String method : new String[] {"GET", "PATCH", "PUT", "DELETE"}) {
                Api.Resp r = api.raw(method, target, method.equals("GET") || method.equals("DELETE") ? null
                        : new byte[] {1});
                assertTrue(r.status() >= 400 && r.status() < 500, r::toString);
            }
        }
        // the other repository's upload is untouched
        assertEquals("0-0", expect(204, api.get(other)).header("Range"));
        if (srv.onDisk()) {
            assertEquals(List.of(), srv.blobFiles());
        }
    }

    @Test
    void uploadOfAnotherRepositoryIsUnknown() {
        String location = startUpload("first/repo");
        String uuid = uuidOf(location);
        expectError(404, "BLOB_UPLOAD_UNKNOWN", api.get(UPLOADS + uuid));
        expectError(404, "BLOB_UPLOAD_UNKNOWN", api.patch(UPLOADS + uuid, new byte[] {1}));
        expectError(404, "BLOB_UPLOAD_UNKNOWN", api.put(UPLOADS + uuid + "?digest=" + sha256(new byte[0]), null));
        expectError(404, "BLOB_UPLOAD_UNKNOWN", api.delete(UPLOADS + uuid));
        assertEquals("0-0", expect(204, api.get(location)).header("Range"));
    }

    // ------------------------------------------------------------------ end-14

    @Test
    void deleteUpload() {
        String location = startUpload(REPO);
        expect(202, api.patch(location, bytes(10, 26)));
        Api.Resp r = expect(204, api.delete(location));
        assertEquals(0, r.body().length);
        expectError(404, "BLOB_UPLOAD_UNKNOWN", api.get(location));
        expectError(404, "BLOB_UPLOAD_UNKNOWN", api.patch(location, new byte[] {1}));
        expectError(404, "BLOB_UPLOAD_UNKNOWN", api.put(withDigest(location, sha256(bytes(10, 26))), null));
        expectError(404, "BLOB_UPLOAD_UNKNOWN", api.delete(location));
        assertNoUploadsLeft(REPO);
        expectError(404, "BLOB_UNKNOWN", api.head("/v2/" + REPO + "/blobs/" + sha256(bytes(10, 26))));
    }

    @Test
    void completedUploadIsGone() {
        byte[] content = bytes(10, 27);
        String location = startUpload(REPO);
        expect(201, api.put(withDigest(location, sha256(content)), content));
        expectError(404, "BLOB_UPLOAD_UNKNOWN", api.get(location));
        expectError(404, "BLOB_UPLOAD_UNKNOWN", api.patch(location, content));
        expectError(404, "BLOB_UPLOAD_UNKNOWN", api.put(withDigest(location, sha256(content)), null));
        expectError(404, "BLOB_UPLOAD_UNKNOWN", api.delete(location));
        assertBlob(REPO, sha256(content), content);
    }

    // ------------------------------------------------------------------ end-11

    @Test
    void mountFromRepositoryWithTheBlob() throws Exception {
        byte[] content = bytes(4096, 28);
        String d = pushBlob(api, "source/repo", content);
        Api.Resp r = expect(201, api.post(UPLOADS + "?mount=" + d + "&from=source/repo", null));
        assertEquals(api.base + "/v2/" + REPO + "/blobs/" + d, r.header("Location"));
        assertEquals(d, r.header("Docker-Content-Digest"));
        assertBlob(REPO, d, content);
        assertBlob("source/repo", d, content);
        assertNoUploadsLeft(REPO);
        if (srv.onDisk()) {
            assertEquals(List.of("sha256/" + d.substring(7, 9) + "/" + d.substring(7) + "/data"), srv.blobFiles());
            assertEquals(d, Files.readString(srv.repoDir(REPO).resolve("_layers/sha256/" + d.substring(7) + "/link")));
        }
    }

    @Test
    void mountFromRepositoryWithoutTheBlobStartsAnUpload() {
        byte[] content = bytes(4096, 29);
        String d = sha256(content);
        pushBlob(api, "source/repo", bytes(10, 30)); // the source exists, but without this blob
        pushBlob(api, "elsewhere", content); // the blob exists globally, but not in the source
        for (String from : new String[] {"source/repo", "nowhere", "Bad/Name", "../x"}) {
            Api.Resp r = expect(202, api.post(UPLOADS + "?mount=" + d + "&from=" + from, null));
            String location = r.header("Location");
            assertNotNull(r.header("Docker-Upload-UUID"));
            assertTrue(location.startsWith(api.base + UPLOADS), location);
            expectError(404, "BLOB_UNKNOWN", api.head("/v2/" + REPO + "/blobs/" + d));
            assertEquals("0-0", expect(204, api.get(location)).header("Range"));
        }
        // a mount with a malformed digest is an ordinary upload as well
        String location = expect(202, api.post(UPLOADS + "?mount=sha256:zz&from=source/repo", null))
                .header("Location");
        expect(201, api.put(withDigest(location, d), content));
        assertBlob(REPO, d, content);
    }

    @Test
    void mountWithoutFrom() {
        // OCI 1.1 lets a registry mount from anywhere or start an upload; either way nothing leaks
        byte[] content = bytes(100, 32);
        String d = pushBlob(api, "source/repo", content);
        Api.Resp r = api.post(UPLOADS + "?mount=" + d, null);
        if (r.status() == 201) {
            assertBlob(REPO, d, content);
        } else {
            expect(202, r);
            assertNotNull(r.header("Docker-Upload-UUID"));
            assertEquals("0-0", expect(204, api.get(r.header("Location"))).header("Range"));
        }
    }

    @Test
    void mountOfBlobDeletedFromSource() {
        byte[] content = bytes(100, 31);
        String d = pushBlob(api, "source/repo", content);
        expect(202, api.delete("/v2/source/repo/blobs/" + d));
        expect(202, api.post(UPLOADS + "?mount=" + d + "&from=source/repo", null));
        expectError(404, "BLOB_UNKNOWN", api.get("/v2/" + REPO + "/blobs/" + d));
    }
}
