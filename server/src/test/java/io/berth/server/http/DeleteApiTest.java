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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.server.http.Fixtures.Image;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** end-9 (manifest delete) and end-10 (blob delete) with deletes enabled. */
class DeleteApiTest extends ApiTestBase {
    static final String REPO = "del/me";
    static final String M = "/v2/" + REPO + "/manifests/";

    List<String> tags() {
        List<String> out = new ArrayList<>();
        expect(200, api.get("/v2/" + REPO + "/tags/list")).json().get("tags").forEach(t -> out.add(t.asText()));
        return out;
    }

    @Test
    void deleteManifestByDigestRemovesItAndItsTags() throws Exception {
        Image img = Fixtures.ociImage(70);
        Image keep = Fixtures.ociImage(71);
        pushImage(api, REPO, "one", img);
        expect(201, api.put(M + "two", img.manifest(), "Content-Type", OCI_MANIFEST));
        pushImage(api, REPO, "keep", keep);

        Api.Resp r = expect(202, api.delete(M + img.digest()));
        assertEquals(0, r.body().length);
        expectError(404, "MANIFEST_UNKNOWN", api.get(M + img.digest()));
        expectError(404, "MANIFEST_UNKNOWN", api.head(M + img.digest()));
        expectError(404, "MANIFEST_UNKNOWN", api.get(M + "one"));
        expectError(404, "MANIFEST_UNKNOWN", api.get(M + "two"));
        assertEquals(List.of("keep"), tags());
        assertEquals(keep.digest(), expect(200, api.head(M + "keep")).header("Docker-Content-Digest"));
        expectError(404, "MANIFEST_UNKNOWN", api.delete(M + img.digest()));

        if (srv.onDisk()) {
            Path repo = srv.repoDir(REPO);
            assertFalse(Files.exists(repo.resolve("_manifests/revisions/sha256/" + img.digest().substring(7))));
            assertFalse(Files.exists(repo.resolve("_manifests/tags/one")));
            assertFalse(Files.exists(repo.resolve("_manifests/tags/two")));
            // content stays for gc
            assertTrue(Files.exists(srv.blobData(img.digest())));
        }
        // and it can be pushed again
        expect(201, api.put(M + "one", img.manifest(), "Content-Type", OCI_MANIFEST));
        assertArrayEquals(img.manifest(), expect(200, api.get(M + "one")).body());
    }

    @Test
    void deleteManifestByTagRemovesOnlyTheTag() {
        Image img = Fixtures.ociImage(72);
        pushImage(api, REPO, "one", img);
        expect(201, api.put(M + "two", img.manifest(), "Content-Type", OCI_MANIFEST));
        expect(202, api.delete(M + "one"));
        expectError(404, "MANIFEST_UNKNOWN", api.get(M + "one"));
        assertArrayEquals(img.manifest(), expect(200, api.get(M + img.digest())).body());
        assertArrayEquals(img.manifest(), expect(200, api.get(M + "two")).body());
        assertEquals(List.of("two"), tags());
        expectError(404, "MANIFEST_UNKNOWN", api.delete(M + "one"));
        if (srv.onDisk()) {
            assertFalse(Files.exists(srv.repoDir(REPO).resolve("_manifests/tags/one")));
        }
    }

    @Test
    void deleteUnknownManifest() {
        pushImage(api, REPO, "one", Fixtures.ociImage(73));
        expectError(404, "MANIFEST_UNKNOWN", api.delete(M + "nope"));
        expectError(404, "MANIFEST_UNKNOWN", api.delete(M + sha256(bytes(3, 3))));
        expectError(400, "DIGEST_INVALID", api.delete(M + "sha256:123"));
        expectError(404, "MANIFEST_UNKNOWN", api.delete("/v2/never/seen/manifests/" + sha256(bytes(3, 3))));
    }

    @Test
    void deleteBlob() throws Exception {
        byte[] content = bytes(3000, 74);
        String d = pushBlob(api, REPO, content);
        pushBlob(api, "other/repo", content);
        Api.Resp r = expect(202, api.delete("/v2/" + REPO + "/blobs/" + d));
        assertEquals(0, r.body().length);
        expectError(404, "BLOB_UNKNOWN", api.get("/v2/" + REPO + "/blobs/" + d));
        expectError(404, "BLOB_UNKNOWN", api.head("/v2/" + REPO + "/blobs/" + d));
        expectError(404, "BLOB_UNKNOWN", api.delete("/v2/" + REPO + "/blobs/" + d));
        // other repositories keep it
        assertArrayEquals(content, expect(200, api.get("/v2/other/repo/blobs/" + d)).body());
        if (srv.onDisk()) {
            assertFalse(Files.exists(srv.repoDir(REPO).resolve("_layers/sha256/" + d.substring(7))));
            assertTrue(Files.exists(srv.blobData(d)));
        }
        // and it can be linked again by a push
        pushBlob(api, REPO, content);
        assertArrayEquals(content, expect(200, api.get("/v2/" + REPO + "/blobs/" + d)).body());
    }

    @Test
    void deleteUnknownBlob() {
        expectError(404, "BLOB_UNKNOWN", api.delete("/v2/" + REPO + "/blobs/" + sha256(bytes(5, 75))));
    }
}
