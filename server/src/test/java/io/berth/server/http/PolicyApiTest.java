package io.berth.server.http;

import static io.berth.server.http.Api.expect;
import static io.berth.server.http.Api.expectError;
import static io.berth.server.http.Fixtures.OCI_MANIFEST;
import static io.berth.server.http.Fixtures.bytes;
import static io.berth.server.http.Fixtures.pushBlob;
import static io.berth.server.http.Fixtures.pushImage;
import static io.berth.server.http.Fixtures.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.server.http.Fixtures.Image;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * storage.delete.enabled=false and storage.maintenance.readonly: a writer server fills a
 * directory, a second server with the policy serves the same directory.
 */
class PolicyApiTest {
    static final String REPO = "policy/repo";
    static final String M = "/v2/" + REPO + "/manifests/";

    @TempDir
    Path dir;
    TestServer writer;
    Image img;
    String blob;
    String upload;
    byte[] blobContent = bytes(777, 80);

    @BeforeEach
    void fill() throws Exception {
        writer = TestServer.filesystem(dir);
        img = Fixtures.ociImage(81);
        pushImage(writer.api, REPO, "v1", img);
        blob = pushBlob(writer.api, REPO, blobContent);
        upload = expect(202, writer.api.post("/v2/" + REPO + "/blobs/uploads/", null)).header("Location")
                .replaceFirst("^http://[^/]+", "");
        expect(202, writer.api.patch(upload, new byte[] {1, 2, 3}));
    }

    @AfterEach
    void stop() {
        ApiTestBase.stopLater(writer);
    }

    @AfterAll
    static void awaitStopped() {
        ApiTestBase.awaitStopped();
    }

    static ApiPolicy policy(boolean deleteEnabled, boolean readOnly) {
        ApiPolicy d = ApiPolicy.defaults();
        return new ApiPolicy(deleteEnabled, readOnly, d.redirectDisabled(), d.relativeUrls(), d.host(), d.prefix(),
                d.headers());
    }

    /** Every file under the root with its content, to prove a refused request changed nothing. */
    Map<String, String> snapshot() {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile).forEach(p -> {
                try {
                    out.put(dir.relativize(p).toString(), sha256(Files.readAllBytes(p)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    void assertReadsWork(Api api) {
        assertArrayEquals(img.manifest(), expect(200, api.get(M + "v1")).body());
        expect(200, api.head(M + img.digest()));
        assertArrayEquals(blobContent, expect(200, api.get("/v2/" + REPO + "/blobs/" + blob)).body());
        expect(200, api.head("/v2/" + REPO + "/blobs/" + blob));
        assertEquals("v1", expect(200, api.get("/v2/" + REPO + "/tags/list")).json().get("tags").get(0).asText());
        assertEquals(REPO, expect(200, api.get("/v2/_catalog")).json().get("repositories").get(0).asText());
        expect(200, api.get("/v2/" + REPO + "/referrers/" + img.digest()));
        expect(200, api.get("/v2/"));
        assertEquals("0-2", expect(204, api.get(upload)).header("Range"));
    }

    @Test
    void deletesDisabled() throws Exception {
        TestServer s = TestServer.filesystem(dir, policy(false, false));
        try {
            Map<String, String> before = snapshot();
            Api api = s.api;
            expectError(405, "UNSUPPORTED", api.delete(M + img.digest()));
            expectError(405, "UNSUPPORTED", api.delete(M + "v1"));
            expectError(405, "UNSUPPORTED", api.delete(M + "unknown"));
            expectError(405, "UNSUPPORTED", api.delete("/v2/" + REPO + "/blobs/" + blob));
            expectError(405, "UNSUPPORTED", api.delete("/v2/" + REPO + "/blobs/" + sha256(new byte[] {9})));
            assertEquals(before, snapshot());
            assertReadsWork(api);
            // writes other than deletes still work, including cancelling an upload
            pushBlob(api, REPO, bytes(10, 82));
            expect(204, api.delete(upload));
        } finally {
            ApiTestBase.stopLater(s);
        }
    }

    @Test
    void readOnly() throws Exception {
        TestServer s = TestServer.filesystem(dir, policy(true, true));
        try {
            Map<String, String> before = snapshot();
            Api api = s.api;
            byte[] content = bytes(100, 83);
            String d = sha256(content);
            String uploads = "/v2/" + REPO + "/blobs/uploads/";
            expectError(405, "UNSUPPORTED", api.post(uploads, null));
            expectError(405, "UNSUPPORTED", api.post(uploads + "?digest=" + d, content));
            expectError(405, "UNSUPPORTED", api.post(uploads + "?mount=" + blob + "&from=" + REPO, null));
            expectError(405, "UNSUPPORTED", api.post("/v2/new/repo/blobs/uploads/?mount=" + blob + "&from=" + REPO,
                    null));
            expectError(405, "UNSUPPORTED", api.patch(upload, content));
            expectError(405, "UNSUPPORTED", api.put(upload + "?digest=" + d, content));
            expectError(405, "UNSUPPORTED", api.delete(upload));
            Api.Resp refused = expectError(405, "UNSUPPORTED", api.put(M + "v2", img.manifest(),
                    "Content-Type", OCI_MANIFEST));
            assertTrue(refused.json().path("errors").path(0).path("message").asText()
                    .contains("read-only maintenance mode (storage.maintenance.readonly.enabled)"), refused.text());
            assertEquals("GET, HEAD", refused.header("Allow"));
            assertEquals("GET", expectError(405, "UNSUPPORTED", api.patch(upload, content)).header("Allow"));
            expectError(405, "UNSUPPORTED", api.put(M + img.digest(), img.manifest(), "Content-Type", OCI_MANIFEST));
            expectError(405, "UNSUPPORTED", api.delete(M + "v1"));
            expectError(405, "UNSUPPORTED", api.delete(M + img.digest()));
            expectError(405, "UNSUPPORTED", api.delete("/v2/" + REPO + "/blobs/" + blob));
            assertEquals(before, snapshot());
            assertReadsWork(api);
        } finally {
            ApiTestBase.stopLater(s);
        }
    }
}
