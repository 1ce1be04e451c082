package io.berth.server.auth;

import static io.berth.server.auth.AuthServer.basic;
import static io.berth.server.auth.AuthServer.bearer;
import static io.berth.server.auth.AuthServer.body;
import static io.berth.server.auth.TestTokens.access;
import static io.berth.server.auth.TestTokens.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import io.berth.server.it.TestImages;
import io.berth.server.tls.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Nothing is reachable without the right scope: every endpoint of the API, under token
 * authentication, with no credentials, Basic credentials, a malformed token, a token from an
 * untrusted signer, an expired token, a token for another repository, a pull-only token, and
 * the right token. Each refusal is a 401 with the spec's UNAUTHORIZED body and distribution's
 * challenge naming the scope the request needed; refused requests change nothing in the store.
 */
class EndpointAccessTest {
    static final String REALM = "https://auth.example.test/token";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path keys;
    static TestTokens tokens;
    static TestTokens stranger;

    @TempDir
    Path tmp;
    AuthServer srv;
    List<Endpoint> endpoints;

    /** One API call; {@code scope} is what the challenge must name, {@code ok} the status when allowed. */
    record Endpoint(String label, String method, String path, byte[] body, String contentType, String scope, int ok) {
        boolean pullOnly() {
            return scope.equals("repository:team/app:pull");
        }
    }

    enum Creds {
        NONE, BASIC, MALFORMED_TOKEN, UNTRUSTED_SIGNER, EXPIRED, OTHER_REPOSITORY, PULL_ONLY, RIGHT
    }

    @BeforeAll
    static void signers() {
        tokens = new TestTokens(TestPki.selfSigned(keys, "signer", TestPki.KeyType.RSA_PKCS8), JWSAlgorithm.RS256);
        stranger = new TestTokens(TestPki.selfSigned(keys, "stranger", TestPki.KeyType.RSA_PKCS8), JWSAlgorithm.RS256);
    }

    static String admin() {
        return bearer(tokens.issue("admin", List.of(repo("team/app", "*"), repo("other/repo", "*"),
                access("registry", "catalog", "*"))));
    }

    @BeforeEach
    void seed() throws Exception {
        TokenAccessController controller = new TokenAccessController(new TokenAccessController.Options(REALM,
                TestTokens.SERVICE, TestTokens.ISSUER, keys.resolve("signer.crt").toString(), "", false, null, Set.of()));
        srv = new AuthServer(tmp.resolve("store"), controller);
        String admin = admin();
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = TestImages.randomBytes(4096, 1);
        String configDigest = srv.pushBlob("team/app", config, admin);
        String layerDigest = srv.pushBlob("team/app", layer, admin);
        String mountable = srv.pushBlob("other/repo", TestImages.randomBytes(1000, 2), admin);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + TestImages.OCI_MANIFEST + "\",\"config\":"
                + "{\"mediaType\":\"" + TestImages.OCI_CONFIG + "\",\"digest\":\"" + configDigest + "\",\"size\":"
                + config.length + "},\"layers\":[{\"mediaType\":\"" + TestImages.OCI_LAYER_GZIP + "\",\"digest\":\""
                + layerDigest + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        String manifestDigest = TestImages.sha256(manifest);
        HttpResponse<byte[]> put = srv.send("PUT", "/v2/team/app/manifests/v1", manifest, admin,
                "Content-Type", TestImages.OCI_MANIFEST);
        assertEquals(201, put.statusCode(), body(put));
        byte[] chunk = TestImages.randomBytes(512, 3);
        String pull = "repository:team/app:pull";
        String push = "repository:team/app:pull,push";
        String delete = "repository:team/app:delete";
        endpoints = List.of(
                new Endpoint("base", "GET", "/v2/", null, null, "", 200),
                new Endpoint("catalog", "GET", "/v2/_catalog", null, null, "registry:catalog:*", 200),
                new Endpoint("tags list", "GET", "/v2/team/app/tags/list", null, null, pull, 200),
                new Endpoint("manifest GET", "GET", "/v2/team/app/manifests/v1", null, null, pull, 200),
                new Endpoint("manifest HEAD", "HEAD", "/v2/team/app/manifests/" + manifestDigest, null, null, pull, 200),
                new Endpoint("manifest PUT", "PUT", "/v2/team/app/manifests/v2", manifest, TestImages.OCI_MANIFEST,
                        push, 201),
                new Endpoint("blob GET", "GET", "/v2/team/app/blobs/" + layerDigest, null, null, pull, 200),
                new Endpoint("blob HEAD", "HEAD", "/v2/team/app/blobs/" + configDigest, null, null, pull, 200),
                new Endpoint("upload POST", "POST", "/v2/team/app/blobs/uploads/", null, null, push, 202),
                new Endpoint("upload PATCH", "PATCH", srv.startUpload("team/app", admin), chunk,
                        "application/octet-stream", push, 202),
                new Endpoint("upload GET", "GET", srv.startUpload("team/app", admin), null, null, pull, 204),
                new Endpoint("upload PUT", "PUT", srv.startUpload("team/app", admin) + "?digest="
                        + TestImages.sha256(chunk), chunk, "application/octet-stream", push, 201),
                new Endpoint("mount", "POST", "/v2/team/app/blobs/uploads/?mount=" + mountable + "&from=other/repo",
                        null, null, push + " repository:other/repo:pull", 201),
                new Endpoint("referrers", "GET", "/v2/team/app/referrers/" + manifestDigest, null, null, pull, 200),
                new Endpoint("upload DELETE", "DELETE", srv.startUpload("team/app", admin), null, null, delete, 204),
                new Endpoint("blob DELETE", "DELETE", "/v2/team/app/blobs/" + layerDigest, null, null, delete, 202),
                new Endpoint("manifest DELETE", "DELETE", "/v2/team/app/manifests/" + manifestDigest, null, null,
                        delete, 202));
    }

    @AfterEach
    void stop() throws Exception {
        srv.close();
    }

    String authorization(Creds c) {
        Instant now = Instant.now();
        return switch (c) {
            case NONE -> null;
            case BASIC -> basic("admin", "secret");
            case MALFORMED_TOKEN -> bearer("not.a.jwt");
            case UNTRUSTED_SIGNER -> bearer(stranger.issue("admin", List.of(repo("team/app", "*"), repo("other/repo", "*"),
                    access("registry", "catalog", "*")), now.minusSeconds(5), now.plusSeconds(300), TestTokens.SERVICE,
                    TestTokens.ISSUER, TestTokens.KeyRef.X5C));
            case EXPIRED -> bearer(tokens.issue("admin", List.of(repo("team/app", "*"), repo("other/repo", "*"),
                    access("registry", "catalog", "*")), now.minusSeconds(900), now.minusSeconds(300), TestTokens.SERVICE,
                    TestTokens.ISSUER, TestTokens.KeyRef.KID_LIBTRUST));
            case OTHER_REPOSITORY -> bearer(tokens.issue("mallory", List.of(repo("team/other", "*"),
                    repo("team/app/sub", "*"), repo("team", "*"))));
            case PULL_ONLY -> bearer(tokens.issue("reader", List.of(repo("team/app", "pull"), repo("other/repo", "pull"))));
            case RIGHT -> admin();
        };
    }

    /** The challenge's error parameter, or null when the request must pass. */
    static String expectedError(Creds c, Endpoint e) {
        return switch (c) {
            case NONE, BASIC -> "";
            case MALFORMED_TOKEN, UNTRUSTED_SIGNER, EXPIRED -> "invalid_token";
            case OTHER_REPOSITORY -> e.scope().isEmpty() ? null : "insufficient_scope";
            case PULL_ONLY -> e.scope().isEmpty() || e.pullOnly() ? null : "insufficient_scope";
            case RIGHT -> null;
        };
    }

    @ParameterizedTest
    @EnumSource(Creds.class)
    void everyEndpoint(Creds creds) throws Exception {
        List<String> before = storeFiles();
        boolean anyAllowedWrite = false;
        List<String> failures = new ArrayList<>();
        for (Endpoint e : endpoints) {
            String error = expectedError(creds, e);
            HttpResponse<byte[]> r = e.contentType() == null
                    ? srv.send(e.method(), e.path(), e.body(), authorization(creds))
                    : srv.send(e.method(), e.path(), e.body(), authorization(creds), "Content-Type", e.contentType());
            String what = creds + " " + e.label() + " " + e.method() + " " + e.path() + " -> " + r.statusCode()
                    + " " + r.headers().map() + " " + body(r);
            if (error == null) {
                if (r.statusCode() != e.ok()) {
                    failures.add("expected " + e.ok() + ": " + what);
                }
                anyAllowedWrite |= !e.method().equals("GET") && !e.method().equals("HEAD");
                continue;
            }
            if (r.statusCode() != 401) {
                failures.add("expected 401: " + what);
                continue;
            }
            String challenge = "Bearer realm=\"" + REALM + "\",service=\"" + TestTokens.SERVICE + "\""
                    + (e.scope().isEmpty() ? "" : ",scope=\"" + e.scope() + "\"")
                    + (error.isEmpty() ? "" : ",error=\"" + error + "\"");
            if (!List.of(challenge).equals(r.headers().allValues("WWW-Authenticate"))) {
                failures.add("challenge " + challenge + ": " + what);
            }
            if (e.method().equals("HEAD")) {
                continue;
            }
            JsonNode err = JSON.readTree(r.body()).path("errors").path(0);
            int accesses = e.scope().isEmpty() ? 0 : e.scope().split("[ ,]").length;
            if (!err.path("code").asText().equals("UNAUTHORIZED") || err.path("detail").size() != accesses) {
                failures.add("UNAUTHORIZED with " + accesses + " accesses in detail: " + what);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        if (!anyAllowedWrite) {
            assertEquals(before, storeFiles(), "refused requests left the store as it was");
        }
    }

    @org.junit.jupiter.api.Test
    void refusalDetailNamesTheAccessesAsDistributionDoes() throws Exception {
        HttpResponse<byte[]> r = srv.send("POST", "/v2/team/app/blobs/uploads/?mount=sha256:"
                + "a".repeat(64) + "&from=other/repo", null, null);
        assertEquals(401, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("registry/2.0", r.headers().firstValue("Docker-Distribution-API-Version").orElse(""));
        JsonNode detail = JSON.readTree(r.body()).path("errors").path(0).path("detail");
        assertEquals(JSON.readTree("[{\"Type\":\"repository\",\"Class\":\"\",\"Name\":\"team/app\",\"Action\":\"pull\"},"
                + "{\"Type\":\"repository\",\"Class\":\"\",\"Name\":\"team/app\",\"Action\":\"push\"},"
                + "{\"Type\":\"repository\",\"Class\":\"\",\"Name\":\"other/repo\",\"Action\":\"pull\"}]"), detail);
        assertEquals("authentication required", JSON.readTree(r.body()).path("errors").path(0).path("message").asText());
        // the base route needs no access: no detail at all
        HttpResponse<byte[]> base = srv.send("GET", "/v2/", null, null);
        assertEquals(401, base.statusCode());
        assertTrue(JSON.readTree(base.body()).path("errors").path(0).path("detail").isMissingNode());
    }

    @org.junit.jupiter.api.Test
    void pathsOutsideTheApiAreNotChallenged() {
        HttpResponse<byte[]> r = srv.send("GET", "/", null, null);
        assertEquals(404, r.statusCode());
        assertFalse(r.headers().firstValue("WWW-Authenticate").isPresent());
        // an unknown route under /v2/ still needs authentication, never a look at the store
        HttpResponse<byte[]> unknown = srv.send("GET", "/v2/team/app/nothing-here", null, null);
        assertEquals(401, unknown.statusCode());
        HttpResponse<byte[]> known = srv.send("GET", "/v2/team/app/nothing-here", null, admin());
        assertEquals(404, known.statusCode());
        assertNull(known.headers().firstValue("WWW-Authenticate").orElse(null));
    }

    @org.junit.jupiter.api.Test
    void grantedUserIsRecordedForTheAccessLog() {
        // a token for a wildcard action passes every action of its repository
        HttpResponse<byte[]> r = srv.send("GET", "/v2/team/app/tags/list", null,
                bearer(tokens.issue("carol", List.of(repo("team/app", "*")))));
        assertEquals(200, r.statusCode(), body(r));
        assertEquals(Map.of("name", "team/app", "tags", List.of("v1")), json(r));
    }

    private static Object json(HttpResponse<byte[]> r) {
        try {
            return JSON.readValue(r.body(), Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> storeFiles() throws IOException {
        Path root = tmp.resolve("store");
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p) + ":" + size(p)).sorted().toList();
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
