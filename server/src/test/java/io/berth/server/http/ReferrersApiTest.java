package io.berth.server.http;

import static io.berth.server.http.Api.expect;
import static io.berth.server.http.Api.expectError;
import static io.berth.server.http.Fixtures.OCI_INDEX;
import static io.berth.server.http.Fixtures.OCI_MANIFEST;
import static io.berth.server.http.Fixtures.artifact;
import static io.berth.server.http.Fixtures.bytes;
import static io.berth.server.http.Fixtures.pushBlob;
import static io.berth.server.http.Fixtures.pushImage;
import static io.berth.server.http.Fixtures.sha256;
import static io.berth.server.http.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.http.Fixtures.Image;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OCI-Subject header on PUT and the referrers API (end-12). */
class ReferrersApiTest extends ApiTestBase {
    static final String REPO = "sign/me";
    static final String SIG = "application/vnd.example.signature";
    static final String SBOM_CONFIG = "application/vnd.example.sbom.config.v1+json";

    Image subject;
    byte[] sig;
    byte[] sbom;
    byte[] unrelated;

    @BeforeEach
    void pushSubjectAndReferrers() {
        subject = Fixtures.ociImage(50);
        pushImage(api, REPO, "v1", subject);
        pushBlob(api, REPO, Fixtures.EMPTY_CONFIG);
        byte[] sigLayer = bytes(64, 51);
        byte[] sbomLayer = bytes(640, 52);
        pushBlob(api, REPO, sigLayer);
        pushBlob(api, REPO, sbomLayer);
        long size = subject.manifest().length;
        sig = artifact(subject.digest(), size, SIG, "application/vnd.oci.empty.v1+json", sigLayer, "signed-by-me");
        sbom = artifact(subject.digest(), size, null, SBOM_CONFIG, sbomLayer, null);
        unrelated = artifact(sha256(utf8("some other subject")), 10, SIG, "application/vnd.oci.empty.v1+json",
                sigLayer, "other");
        for (byte[] m : new byte[][] {sig, sbom}) {
            Api.Resp r = expect(201, api.put("/v2/" + REPO + "/manifests/" + sha256(m), m,
                    "Content-Type", OCI_MANIFEST));
            assertEquals(subject.digest(), r.header("OCI-Subject"), r::toString);
        }
        expect(201, api.put("/v2/" + REPO + "/manifests/" + sha256(unrelated), unrelated,
                "Content-Type", OCI_MANIFEST));
    }

    JsonNode referrers(String digest, String query, String expectFilter) {
        Api.Resp r = expect(200, api.get("/v2/" + REPO + "/referrers/" + digest + query));
        assertEquals(OCI_INDEX, r.header("Content-Type"));
        assertEquals(expectFilter, r.header("OCI-Filters-Applied"));
        JsonNode idx = r.json();
        assertEquals(2, idx.get("schemaVersion").asInt());
        assertEquals(OCI_INDEX, idx.get("mediaType").asText());
        assertTrue(idx.get("manifests").isArray(), r::toString);
        return idx.get("manifests");
    }

    static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    static Map<String, JsonNode> byDigest(JsonNode manifests) {
        Map<String, JsonNode> out = new HashMap<>();
        manifests.forEach(m -> {
            JsonNode prev = out.put(m.get("digest").asText(), m);
            assertNull(prev, "listed twice: " + m);
        });
        return out;
    }

    @Test
    void noSubjectHeaderWithoutSubject() {
        Image img = Fixtures.ociImage(53);
        Fixtures.pushBlobs(api, REPO, img);
        Api.Resp r = expect(201, api.put("/v2/" + REPO + "/manifests/plain", img.manifest(),
                "Content-Type", OCI_MANIFEST));
        assertNull(r.header("OCI-Subject"));
    }

    @Test
    void listsExactlyTheReferrersWithTheirArtifactTypes() {
        Map<String, JsonNode> m = byDigest(referrers(subject.digest(), "", null));
        assertEquals(java.util.Set.of(sha256(sig), sha256(sbom)), m.keySet());

        JsonNode s = m.get(sha256(sig));
        assertEquals(OCI_MANIFEST, s.get("mediaType").asText());
        assertEquals(sig.length, s.get("size").asLong());
        assertEquals(SIG, s.get("artifactType").asText());
        assertEquals("signed-by-me", s.get("annotations").get("org.example.note").asText());

        JsonNode b = m.get(sha256(sbom));
        assertEquals(sbom.length, b.get("size").asLong());
        assertEquals(SBOM_CONFIG, b.get("artifactType").asText(), "falls back to config.mediaType");
        assertTrue(b.path("annotations").isMissingNode() || b.get("annotations").isEmpty(), b::toString);
    }

    @Test
    void artifactTypeFilter() {
        JsonNode only = referrers(subject.digest(), "?artifactType=" + enc(SIG), "artifactType");
        assertEquals(1, only.size());
        assertEquals(sha256(sig), only.get(0).get("digest").asText());

        only = referrers(subject.digest(), "?artifactType=" + enc(SBOM_CONFIG), "artifactType");
        assertEquals(1, only.size());
        assertEquals(sha256(sbom), only.get(0).get("digest").asText());

        assertEquals(0, referrers(subject.digest(), "?artifactType=application/none", "artifactType").size());
    }

    @Test
    void subjectWithoutReferrers() {
        // a manifest that exists and one that does not: both 200 with an empty list (never 404)
        assertEquals(0, referrers(sha256(sig), "", null).size());
        assertEquals(0, referrers(sha256(utf8("never pushed")), "", null).size());
        Api.Resp r = expect(200, api.get("/v2/no/such/repo/referrers/" + subject.digest()));
        assertEquals(0, r.json().get("manifests").size());
    }

    @Test
    void referrerPushedBeforeItsSubject() {
        Image later = Fixtures.ociImage(54);
        byte[] early = artifact(later.digest(), later.manifest().length, SIG, "application/vnd.oci.empty.v1+json",
                bytes(64, 51), "early");
        Api.Resp r = expect(201, api.put("/v2/" + REPO + "/manifests/" + sha256(early), early,
                "Content-Type", OCI_MANIFEST));
        assertEquals(later.digest(), r.header("OCI-Subject"));
        assertEquals(java.util.Set.of(sha256(early)), byDigest(referrers(later.digest(), "", null)).keySet());
        pushImage(api, REPO, "later", later);
        assertEquals(java.util.Set.of(sha256(early)), byDigest(referrers(later.digest(), "", null)).keySet());
    }

    @Test
    void indexAsReferrer() {
        byte[] idx = utf8("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\","
                + "\"artifactType\":\"application/x-bundle\","
                + "\"manifests\":[" + Fixtures.descriptor(OCI_MANIFEST, sig) + "],\"subject\":"
                + Fixtures.descriptor(OCI_MANIFEST, subject.digest(), subject.manifest().length)
                + ",\"annotations\":{\"k\":\"v\"}}");
        Api.Resp r = expect(201, api.put("/v2/" + REPO + "/manifests/bundle", idx, "Content-Type", OCI_INDEX));
        assertEquals(subject.digest(), r.header("OCI-Subject"));
        JsonNode e = byDigest(referrers(subject.digest(), "", null)).get(sha256(idx));
        assertEquals(OCI_INDEX, e.get("mediaType").asText());
        assertEquals("application/x-bundle", e.get("artifactType").asText());
        assertEquals("v", e.get("annotations").get("k").asText());
        assertEquals(idx.length, e.get("size").asLong());
    }

    @Test
    void deletedReferrerDisappears() {
        expect(202, api.delete("/v2/" + REPO + "/manifests/" + sha256(sig)));
        assertEquals(java.util.Set.of(sha256(sbom)), byDigest(referrers(subject.digest(), "", null)).keySet());
        assertEquals(0, referrers(subject.digest(), "?artifactType=" + enc(SIG), "artifactType").size());
    }

    @Test
    void referrersAreScopedToTheRepository() {
        pushImage(api, "other/repo", "v1", subject);
        assertEquals(0, expect(200, api.get("/v2/other/repo/referrers/" + subject.digest())).json()
                .get("manifests").size());
    }

    @Test
    void invalidDigest() {
        expectError(400, "DIGEST_INVALID", api.get("/v2/" + REPO + "/referrers/sha256:abc"));
        expectError(400, "DIGEST_INVALID", api.get("/v2/" + REPO + "/referrers/v1"));
        expectError(400, "DIGEST_INVALID", api.get("/v2/" + REPO + "/referrers/md5:d41d8cd98f00b204e9800998ecf8427e"));
        expectError(400, "NAME_INVALID", api.get("/v2/Sign/referrers/" + subject.digest()));
    }

    @Test
    void malformedQueryEncodingIs400() {
        expectError(400, "UNSUPPORTED", api.raw("GET", "/v2/" + REPO + "/referrers/" + subject.digest() + "?artifactType=%", null));
        expectError(400, "UNSUPPORTED", api.raw("GET", "/v2/" + REPO + "/tags/list?last=%zz", null));
    }
}
