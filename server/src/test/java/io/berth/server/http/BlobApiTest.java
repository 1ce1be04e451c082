package io.berth.server.http;

import static io.berth.server.http.Api.expect;
import static io.berth.server.http.Api.expectError;
import static io.berth.server.http.Fixtures.bytes;
import static io.berth.server.http.Fixtures.pushBlob;
import static io.berth.server.http.Fixtures.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** end-1 (base), end-2 (blob GET/HEAD, ranges) on the filesystem driver; {@link InMemoryBlobApiTest} reruns it. */
class BlobApiTest extends ApiTestBase {
    static final String REPO = "library/blobs";

    @Test
    void baseEndpointAnswersEmptyJsonObject() {
        Api.Resp r = expect(200, api.get("/v2/"));
        assertEquals("{}", r.text().trim());
        assertTrue(r.header("Content-Type").startsWith("application/json"), r::toString);
        // without the trailing slash too, and HEAD
        expect(200, api.get("/v2"));
        Api.Resp h = expect(200, api.head("/v2/"));
        assertEquals(0, h.body().length);
    }

    @Test
    void apiVersionHeaderIsOnErrorsToo() {
        // Api checks the header on every response; these are answers of every kind of failure
        expectError(404, "BLOB_UNKNOWN", api.get("/v2/" + REPO + "/blobs/" + sha256(new byte[] {1})));
        expectError(400, "DIGEST_INVALID", api.get("/v2/" + REPO + "/blobs/sha256:nope"));
        expectError(400, "NAME_INVALID", api.get("/v2/Upper/blobs/" + sha256(new byte[] {1})));
        expectError(405, "UNSUPPORTED", api.send("POST", "/v2/" + REPO + "/blobs/" + sha256(new byte[] {1}),
                new byte[0]));
        expect(404, api.get("/v3/"));
        expect(404, api.get("/nothing/here"));
    }

    @Test
    void unknownEndpointsAre404WithJson() {
        Api.Resp r = expect(404, api.get("/v2/" + REPO + "/nonsense/x"));
        assertTrue(r.errorCode() != null);
    }

    @Test
    void getAndHeadBlob() throws Exception {
        byte[] content = bytes(100_000, 1);
        String d = pushBlob(api, REPO, content);

        Api.Resp get = expect(200, api.get("/v2/" + REPO + "/blobs/" + d));
        assertArrayEquals(content, get.body());
        assertEquals(content.length, get.contentLength());
        assertEquals(d, get.header("Docker-Content-Digest"));

        Api.Resp head = expect(200, api.head("/v2/" + REPO + "/blobs/" + d));
        assertEquals(0, head.body().length);
        assertEquals(content.length, head.contentLength());
        assertEquals(d, head.header("Docker-Content-Digest"));

        if (srv.onDisk()) {
            assertArrayEquals(content, Files.readAllBytes(srv.blobData(d)));
            assertEquals(d, Files.readString(srv.repoDir(REPO).resolve("_layers/sha256/" + d.substring(7) + "/link")));
        }
    }

    @Test
    void emptyBlob() {
        String d = pushBlob(api, REPO, new byte[0]);
        Api.Resp get = expect(200, api.get("/v2/" + REPO + "/blobs/" + d));
        assertEquals(0, get.body().length);
        assertEquals(0, get.contentLength());
        assertEquals(0, expect(200, api.head("/v2/" + REPO + "/blobs/" + d)).contentLength());
    }

    @Test
    void rangeRequests() {
        byte[] content = bytes(10_000, 2);
        String d = pushBlob(api, REPO, content);
        String url = "/v2/" + REPO + "/blobs/" + d;

        Api.Resp r = expect(206, api.get(url, "Range", "bytes=10-19"));
        assertArrayEquals(Arrays.copyOfRange(content, 10, 20), r.body());
        assertEquals("bytes 10-19/10000", r.header("Content-Range"));
        assertEquals(10, r.contentLength());

        r = expect(206, api.get(url, "Range", "bytes=9990-"));
        assertArrayEquals(Arrays.copyOfRange(content, 9990, 10000), r.body());
        assertEquals("bytes 9990-9999/10000", r.header("Content-Range"));

        r = expect(206, api.get(url, "Range", "bytes=-5"));
        assertArrayEquals(Arrays.copyOfRange(content, 9995, 10000), r.body());
        assertEquals("bytes 9995-9999/10000", r.header("Content-Range"));

        // last beyond the end is clamped (RFC 9110)
        r = expect(206, api.get(url, "Range", "bytes=9998-20000"));
        assertArrayEquals(Arrays.copyOfRange(content, 9998, 10000), r.body());
        assertEquals("bytes 9998-9999/10000", r.header("Content-Range"));

        // a suffix longer than the blob is the whole blob
        r = expect(206, api.get(url, "Range", "bytes=-20000"));
        assertArrayEquals(content, r.body());

        // single byte at both ends
        assertArrayEquals(new byte[] {content[0]}, expect(206, api.get(url, "Range", "bytes=0-0")).body());
        assertArrayEquals(new byte[] {content[9999]}, expect(206, api.get(url, "Range", "bytes=9999-9999")).body());

        // HEAD with a range: headers of the part, no body
        r = expect(206, api.head(url, "Range", "bytes=100-199"));
        assertEquals(100, r.contentLength());
        assertEquals(0, r.body().length);
        assertEquals("bytes 100-199/10000", r.header("Content-Range"));
    }

    @Test
    void unsatisfiableRanges() {
        byte[] content = bytes(1000, 3);
        String d = pushBlob(api, REPO, content);
        String url = "/v2/" + REPO + "/blobs/" + d;
        // out of the blob, or malformed (RFC 9110 lets a server ignore or reject those; Go's
        // ServeContent, which distribution's filesystem GETs use, rejects them with 416 too)
        for (String range : new String[] {"bytes=1000-", "bytes=5000-6000", "bytes=-0", "bytes=5-2", "bytes=500-0",
            "bytes=a-b", "bytes=5", "bytes=-x", "bytes=-1-2"}) {
            Api.Resp r = api.get(url, "Range", range);
            assertEquals(416, r.status(), () -> range + ": " + r);
            assertEquals("bytes */1000", r.header("Content-Range"), range);
            assertTrue(r.text().contains("RANGE_INVALID"), () -> range + ": " + r);
            assertEquals(416, api.head(url, "Range", range).status(), range);
        }
        // another unit must be ignored, several ranges may be: the whole blob
        assertArrayEquals(content, expect(200, api.get(url, "Range", "lines=1-2")).body());
        assertArrayEquals(content, expect(200, api.get(url, "Range", "bytes=0-1,5-6")).body());
    }

    @Test
    void unknownBlobIs404() {
        String d = sha256(bytes(10, 4));
        expectError(404, "BLOB_UNKNOWN", api.get("/v2/" + REPO + "/blobs/" + d));
        Api.Resp h = expectError(404, "BLOB_UNKNOWN", api.head("/v2/" + REPO + "/blobs/" + d));
        assertEquals(0, h.body().length);
    }

    @Test
    void blobOfAnotherRepositoryIsNotVisible() {
        byte[] content = bytes(500, 5);
        String d = pushBlob(api, "other/repo", content);
        expect(200, api.get("/v2/other/repo/blobs/" + d));
        expectError(404, "BLOB_UNKNOWN", api.get("/v2/" + REPO + "/blobs/" + d));
        expectError(404, "BLOB_UNKNOWN", api.head("/v2/" + REPO + "/blobs/" + d));
        expectError(404, "BLOB_UNKNOWN", api.get("/v2/other/blobs/" + d)); // a prefix is another repo
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "sha256:xyz",
        "md5:d41d8cd98f00b204e9800998ecf8427e",
        "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
        "sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha256:",
        ":e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85g"})
    void invalidDigestIs400(String digest) {
        pushBlob(api, REPO, new byte[0]); // the repository exists; the digest is what is wrong
        expectError(400, "DIGEST_INVALID", api.get("/v2/" + REPO + "/blobs/" + digest));
        expectError(400, "DIGEST_INVALID", api.head("/v2/" + REPO + "/blobs/" + digest));
        expectError(400, "DIGEST_INVALID", api.delete("/v2/" + REPO + "/blobs/" + digest));
    }

    @Test
    void wrongMethodsOnBlobs() {
        String d = pushBlob(api, REPO, bytes(10, 6));
        Api.Resp r = expectError(405, "UNSUPPORTED", api.put("/v2/" + REPO + "/blobs/" + d, new byte[] {1}));
        assertTrue(r.header("Allow").contains("GET"), r::toString);
        expectError(405, "UNSUPPORTED", api.send("PATCH", "/v2/" + REPO + "/blobs/" + d, new byte[] {1}));
        expectError(405, "UNSUPPORTED", api.send("GET", "/v2/" + REPO + "/blobs/uploads/", (byte[]) null));
        expectError(405, "UNSUPPORTED", api.delete("/v2/"));
        // still intact
        assertArrayEquals(bytes(10, 6), expect(200, api.get("/v2/" + REPO + "/blobs/" + d)).body());
    }
}
