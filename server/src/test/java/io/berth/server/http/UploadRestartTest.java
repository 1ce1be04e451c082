package io.berth.server.http;

import static io.berth.server.http.Api.expect;
import static io.berth.server.http.Api.expectError;
import static io.berth.server.http.Fixtures.bytes;
import static io.berth.server.http.Fixtures.sha256;
import static io.berth.server.http.Fixtures.sha512;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads and content survive a restart on the same directory: nothing needed lives only in memory. */
class UploadRestartTest {
    static final String REPO = "restart/me";

    @TempDir
    Path dir;

    /** The path of an absolute Location, to replay it against another server. */
    static String path(String location) {
        return location.replaceFirst("^http://[^/]+", "");
    }

    @Test
    void chunkedUploadResumesOnANewServer() throws Exception {
        byte[] content = bytes(150_000, 40);
        String d = sha256(content);
        String location;
        try (TestServer a = TestServer.filesystem(dir)) {
            location = path(expect(202, a.api.post("/v2/" + REPO + "/blobs/uploads/", null)).header("Location"));
            Api.Resp r = expect(202, a.api.patch(location, Arrays.copyOfRange(content, 0, 60_000),
                    "Content-Type", "application/octet-stream", "Content-Range", "0-59999"));
            assertEquals("0-59999", r.header("Range"));
        }
        try (TestServer b = TestServer.filesystem(dir)) {
            Api.Resp r = expect(204, b.api.get(location));
            assertEquals("0-59999", r.header("Range"));
            // a chunk that does not continue at the stored offset is still refused
            expectError(416, "RANGE_INVALID", b.api.patch(location, Arrays.copyOfRange(content, 0, 100),
                    "Content-Range", "0-99"));
            r = expect(202, b.api.patch(location, Arrays.copyOfRange(content, 60_000, 100_000),
                    "Content-Type", "application/octet-stream", "Content-Range", "60000-99999"));
            assertEquals("0-99999", r.header("Range"));
            r = expect(201, b.api.put(path(r.header("Location")) + "?digest=" + d,
                    Arrays.copyOfRange(content, 100_000, 150_000), "Content-Type", "application/octet-stream"));
            assertEquals(d, r.header("Docker-Content-Digest"));
            assertArrayEquals(content, expect(200, b.api.get("/v2/" + REPO + "/blobs/" + d)).body());
            assertArrayEquals(content, Files.readAllBytes(b.blobData(d)));
            assertEquals(List.of(), b.files(b.repoDir(REPO).resolve("_uploads")));
        }
    }

    @Test
    void wrongDigestAfterRestartIsStillDetected() throws Exception {
        byte[] content = bytes(10_000, 41);
        String location;
        try (TestServer a = TestServer.filesystem(dir)) {
            location = path(expect(202, a.api.post("/v2/" + REPO + "/blobs/uploads/", null)).header("Location"));
            expect(202, a.api.patch(location, content));
        }
        try (TestServer b = TestServer.filesystem(dir)) {
            String wrong = sha256(Arrays.copyOf(content, 9_999));
            expectError(400, "DIGEST_INVALID", b.api.put(location + "?digest=" + wrong, null));
            expectError(404, "BLOB_UNKNOWN", b.api.head("/v2/" + REPO + "/blobs/" + wrong));
            assertEquals(List.of(), b.blobFiles());
        }
    }

    @Test
    void sha512UploadCompletesAfterRestart() throws Exception {
        byte[] content = bytes(20_000, 42);
        String location;
        try (TestServer a = TestServer.filesystem(dir)) {
            location = path(expect(202, a.api.post("/v2/" + REPO + "/blobs/uploads/?digest-algorithm=sha512", null))
                    .header("Location"));
            expect(202, a.api.patch(location, Arrays.copyOf(content, 5_000), "Content-Range", "0-4999"));
        }
        try (TestServer b = TestServer.filesystem(dir)) {
            String d = sha512(content);
            Api.Resp r = expect(201, b.api.put(location + "?digest=" + d, Arrays.copyOfRange(content, 5_000, 20_000)));
            assertEquals(d, r.header("Docker-Content-Digest"));
            assertArrayEquals(content, expect(200, b.api.get("/v2/" + REPO + "/blobs/" + d)).body());
        }
    }

    @Test
    void cancelledUploadStaysCancelled() throws Exception {
        String location;
        try (TestServer a = TestServer.filesystem(dir)) {
            location = path(expect(202, a.api.post("/v2/" + REPO + "/blobs/uploads/", null)).header("Location"));
            expect(204, a.api.delete(location));
        }
        try (TestServer b = TestServer.filesystem(dir)) {
            expectError(404, "BLOB_UPLOAD_UNKNOWN", b.api.get(location));
        }
    }

    @Test
    void contentPushedBeforeRestartIsServedAfterIt() throws Exception {
        Fixtures.Image img = Fixtures.ociImage(43);
        try (TestServer a = TestServer.filesystem(dir)) {
            Fixtures.pushImage(a.api, REPO, "v1", img);
        }
        try (TestServer b = TestServer.filesystem(dir)) {
            Api.Resp r = expect(200, b.api.get("/v2/" + REPO + "/manifests/v1"));
            assertArrayEquals(img.manifest(), r.body());
            assertEquals(img.digest(), r.header("Docker-Content-Digest"));
            // HEAD answered from storage, the new process has no cached summary
            Api.Resp h = expect(200, b.api.head("/v2/" + REPO + "/manifests/" + img.digest()));
            assertEquals(img.manifest().length, h.contentLength());
            assertEquals(Fixtures.OCI_MANIFEST, h.header("Content-Type"));
            assertArrayEquals(img.layer(), expect(200, b.api.get("/v2/" + REPO + "/blobs/" + sha256(img.layer())))
                    .body());
        }
    }
}
