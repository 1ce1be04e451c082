package io.berth.server.http;

import static io.berth.server.http.Api.expect;
import static io.berth.server.http.Api.expectError;
import static io.berth.server.http.Fixtures.bytes;
import static io.berth.server.http.Fixtures.pushBlob;
import static io.berth.server.http.Fixtures.pushImage;
import static io.berth.server.http.Fixtures.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.server.http.Fixtures.Image;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Storage that lost or garbled files (an interrupted gc, a hand edit): answers are 404s, never
 * 5xx. Each check runs on a fresh server so no in-process cache hides the damage.
 */
class StorageDamageTest {
    static final String REPO = "damaged/repo";

    @TempDir
    Path dir;

    @Test
    void linkedBlobWhoseDataIsGone() throws Exception {
        byte[] content = bytes(1000, 1);
        String d;
        try (TestServer a = TestServer.filesystem(dir)) {
            d = pushBlob(a.api, REPO, content);
            Files.delete(a.blobData(d));
        }
        try (TestServer b = TestServer.filesystem(dir)) {
            expectError(404, "BLOB_UNKNOWN", b.api.get("/v2/" + REPO + "/blobs/" + d));
            expectError(404, "BLOB_UNKNOWN", b.api.head("/v2/" + REPO + "/blobs/" + d));
            // pushing it again repairs it
            pushBlob(b.api, REPO, content);
            expect(200, b.api.get("/v2/" + REPO + "/blobs/" + d));
        }
    }

    @Test
    void manifestWhoseDataIsGoneAndGarbledLinks() throws Exception {
        Image img = Fixtures.ociImage(2);
        Image other = Fixtures.ociImage(3);
        try (TestServer a = TestServer.filesystem(dir)) {
            pushImage(a.api, REPO, "gone", img);
            pushImage(a.api, REPO, "garbled", other);
            Files.delete(a.blobData(img.digest()));
            Path tags = a.repoDir(REPO).resolve("_manifests/tags");
            Files.writeString(tags.resolve("garbled/current/link"), "not a digest");
            // a tag pointing at a digest that has no revision in this repository
            Files.createDirectories(tags.resolve("dangling/current"));
            Files.writeString(tags.resolve("dangling/current/link"), sha256(bytes(5, 4)));
        }
        try (TestServer b = TestServer.filesystem(dir)) {
            String m = "/v2/" + REPO + "/manifests/";
            expectError(404, "MANIFEST_UNKNOWN", b.api.get(m + "gone"));
            expectError(404, "MANIFEST_UNKNOWN", b.api.get(m + img.digest()));
            expectError(404, "MANIFEST_UNKNOWN", b.api.head(m + "gone"));
            expectError(404, "MANIFEST_UNKNOWN", b.api.get(m + "garbled"));
            expectError(404, "MANIFEST_UNKNOWN", b.api.head(m + "garbled"));
            expectError(404, "MANIFEST_UNKNOWN", b.api.get(m + "dangling"));
            // the rest of the repository still answers
            expect(200, b.api.get(m + other.digest()));
            expect(200, b.api.get("/v2/" + REPO + "/tags/list"));
            assertEquals(200, b.api.get("/v2/" + REPO + "/referrers/" + img.digest()).status());
        }
    }
}
