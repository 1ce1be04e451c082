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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Repository names: the grammar, its limits, and paths that try to leave it. Never a 5xx. */
class NameApiTest extends ApiTestBase {
    static final String D = sha256(new byte[] {1, 2, 3});

    /** Every endpoint a name can appear in, each with its method (and a body for writes). */
    List<Api.Resp> everyEndpoint(String name) {
        return List.of(
                api.get("/v2/" + name + "/tags/list"),
                api.get("/v2/" + name + "/manifests/latest"),
                api.head("/v2/" + name + "/manifests/" + D),
                api.put("/v2/" + name + "/manifests/latest", Fixtures.ociImage(1).manifest(),
                        "Content-Type", OCI_MANIFEST),
                api.delete("/v2/" + name + "/manifests/latest"),
                api.get("/v2/" + name + "/blobs/" + D),
                api.head("/v2/" + name + "/blobs/" + D),
                api.delete("/v2/" + name + "/blobs/" + D),
                api.post("/v2/" + name + "/blobs/uploads/", null),
                api.post("/v2/" + name + "/blobs/uploads/?digest=" + D, new byte[] {1, 2, 3}),
                api.get("/v2/" + name + "/blobs/uploads/" + java.util.UUID.randomUUID()),
                api.get("/v2/" + name + "/referrers/" + D));
    }

    void assertNothingWritten() {
        if (srv.onDisk()) {
            assertEquals(List.of(), srv.files(srv.root));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Foo/bar", "foo/Bar", "UPPER", "foo-", "-foo", "foo/-bar", "foo/bar-", "a..b", "a.-b",
        "a-.b", "_a", "a_", "a/_manifests", "a/_uploads", "a/_layers", "a___b", ".a", "a.", "a%20b", "a%C3%A9b",
        "a:b", "a@b", "a%2Bb", "a+b"})
    void invalidNameIs400NameInvalid(String name) {
        for (Api.Resp r : everyEndpoint(name)) {
            expectError(400, "NAME_INVALID", r);
        }
        assertNothingWritten();
    }

    @Test
    void nameLongerThan255() {
        String name256 = "a".repeat(100) + "/" + "b".repeat(100) + "/" + "c".repeat(54);
        assertEquals(256, name256.length());
        for (Api.Resp r : everyEndpoint(name256)) {
            expectError(400, "NAME_INVALID", r);
        }
        for (Api.Resp r : everyEndpoint("x".repeat(1000))) {
            expectError(400, "NAME_INVALID", r);
        }
        assertNothingWritten();
    }

    @Test
    void nameOfExactly255Works() {
        String name = "a".repeat(100) + "/" + "b".repeat(100) + "/" + "c".repeat(53);
        assertEquals(255, name.length());
        Image img = Fixtures.ociImage(90);
        pushImage(api, name, "v1", img);
        assertArrayEquals(img.manifest(), expect(200, api.get("/v2/" + name + "/manifests/v1")).body());
        assertEquals(name, expect(200, api.get("/v2/_catalog")).json().get("repositories").get(0).asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a__b", "a--b", "a---b", "a.b_c/d-e/f", "0", "0/0", "a/b/c/d/e/f/g/h/i/j",
        "library/ubuntu"})
    void unusualValidNames(String name) {
        byte[] content = bytes(20, 91);
        String d = pushBlob(api, name, content);
        assertArrayEquals(content, expect(200, api.get("/v2/" + name + "/blobs/" + d)).body());
        Image img = Fixtures.ociImage(92);
        pushImage(api, name, "t", img);
        assertEquals(List.of(name), List.of(expect(200, api.get("/v2/_catalog")).json().get("repositories").get(0)
                .asText()));
        assertEquals(name, expect(200, api.get("/v2/" + name + "/tags/list")).json().get("name").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a//b", "a/", "/a", "a%25b", "a%5Cb", "a%3Bb"})
    void emptyOrDotComponents(String name) {
        for (Api.Resp r : everyEndpoint(name)) {
            // either the name is refused, or HTTP path handling refuses the URI, or it leads nowhere
            assertTrue(r.status() == 400 || r.status() == 404 || r.status() == 405, r::toString);
            if (r.status() == 400 && !r.method().equals("HEAD")) {
                assertTrue(List.of("NAME_INVALID", "UNSUPPORTED").contains(r.errorCode()), r::toString);
            }
        }
        assertNothingWritten();
    }

    @Test
    void dotSegmentsInsideV2AreResolvedLikeAnyUrl() {
        // RFC 3986 dot-segment removal: /v2/a/./b and /v2/x/../a/b name the repository a/b
        Image img = Fixtures.ociImage(93);
        pushImage(api, "a/b", "v1", img);
        for (String target : new String[] {"/v2/a/./b/manifests/v1", "/v2/x/../a/b/manifests/v1"}) {
            assertArrayEquals(img.manifest(), expect(200, api.raw("GET", target, null)).body());
        }
    }

    /**
     * Jetty would strip ";x" and act on "a": a proxy rule on the path as sent (nginx keeps it) would
     * then see another repository than the registry. Refused, as are URIs Jetty finds ambiguous.
     */
    @Test
    void pathParametersAndAmbiguousUrisAreInvalidNames() {
        Image img = Fixtures.ociImage(94);
        pushImage(api, "a", "v1", img);
        for (String target : new String[] {"/v2/a;x/blobs/uploads/", "/v2/a;x=1/manifests/v1", "/v2/a/manifests/v1;x",
                "/v2/a;/tags/list", "/v2/a/blobs/" + img.digest() + ";x"}) {
            for (String method : new String[] {"GET", "POST", "PUT", "DELETE"}) {
                Api.Resp r = api.raw(method, target, method.equals("GET") ? null : new byte[] {1});
                expectError(400, "NAME_INVALID", r);
            }
        }
        for (String target : new String[] {"/v2/a%2Fb/tags/list", "/v2/a//b/tags/list", "/v2/a/%2e%2e/b/tags/list",
                "/v2/a/manifests/v1%2Fx"}) {
            expectError(400, "NAME_INVALID", api.raw("GET", target, null));
        }
        assertArrayEquals(img.manifest(), expect(200, api.get("/v2/a/manifests/v1")).body());
        assertEquals(List.of("v1"), List.of(expect(200, api.get("/v2/a/tags/list")).json().get("tags").get(0).asText()));
    }

    @Test
    void dotDotOverHttpClient() {
        for (String path : new String[] {
            "/v2/../x/tags/list",
            "/v2/../../x/blobs/uploads/",
            "/v2/a/../../x/manifests/latest",
            "/v2/%2E%2E/x/tags/list",
            "/v2/%2e%2e/%2e%2e/x/blobs/uploads/",
            "/v2/a/%2E%2E/b/tags/list",
            "/v2/a%2F..%2F..%2Fx/tags/list",
            "/v2/a%2Fb/tags/list"}) {
            Api.Resp get = api.get(path);
            assertTrue(get.status() >= 400 && get.status() < 500, get::toString);
            Api.Resp post = api.post(path, new byte[] {1});
            assertTrue(post.status() >= 400 && post.status() < 500, post::toString);
        }
        assertNothingWritten();
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    @Test
    void dotDotOverRawSocket() {
        for (String path : new String[] {
            "/v2/../x/tags/list",
            "/v2/../../../x/blobs/uploads/",
            "/v2/a/../../x/manifests/latest",
            "/v2/%2E%2E/x/tags/list",
            "/v2/%2e%2e%2f%2e%2e%2fx/blobs/uploads/",
            "/v2/a%2F..%2F..%2Fx/blobs/uploads/",
            "/v2/a%2Fb/tags/list",
            "/v2/a%00b/tags/list",
            "/v2/a\\..\\x/tags/list",
            "/v2/a;x=1/tags/list",
            "/v2/a;/../../x/blobs/uploads/",
            "/v2/%252e%252e/x/tags/list",
            "v2/x/tags/list",
            "*"}) {
            for (String method : new String[] {"GET", "POST", "PUT", "DELETE"}) {
                Api.Resp r = api.raw(method, path, method.equals("GET") ? null : new byte[] {1});
                assertTrue(r.status() >= 400 && r.status() < 500, r::toString);
            }
        }
        assertNothingWritten();
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    @Test
    void malformedRequests() {
        // a URI far beyond any name limit
        Api.Resp r = api.raw("GET", "/v2/" + "a".repeat(100_000) + "/tags/list", null);
        assertTrue(r.status() == 414 || r.status() == 431 || r.status() == 400, r::toString);
        // a header line without a colon
        r = api.rawText("GET", "/v2/", "GET /v2/ HTTP/1.1\r\nHost: x\r\nBroken header line\r\n"
                + "Connection: close\r\n\r\n", null);
        assertEquals(400, r.status(), r::toString);
        // no Host header at all (HTTP/1.1 requires one)
        r = api.rawText("GET", "/v2/", "GET /v2/ HTTP/1.1\r\nConnection: close\r\n\r\n", null);
        assertEquals(400, r.status(), r::toString);
        // an unknown method
        r = api.raw("BREW", "/v2/", null);
        assertTrue(r.status() == 405 || r.status() == 400 || r.status() == 501, r::toString);
        // a bad Content-Length
        r = api.raw("PUT", "/v2/a/manifests/latest", null, "Content-Length", "-5");
        assertEquals(400, r.status(), r::toString);
        assertNothingWritten();
    }

    @Test
    void routesOnlyUnderV2() {
        expect(404, api.get("/"));
        expect(404, api.get("/v1/_ping"));
        expect(404, api.get("/v2x/"));
        expect(404, api.get("/v2/_catalog/extra"));
        expectError(405, "UNSUPPORTED", api.post("/v2/_catalog", new byte[0]));
    }
}
