package io.berth.server.http;

import static io.berth.server.http.Api.expect;
import static io.berth.server.http.Api.expectError;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.core.storage.StorageDriver;
import io.berth.server.http.Fixtures.Image;
import io.berth.storage.inmemory.InMemoryDriver;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How many storage calls the hot requests cost, with storage.cache.blobdescriptor on. On S3 every
 * call is a signed HTTP round trip, so these counts are what manifest requests/s on object storage
 * come down to; a change that adds a call shows here before it shows in a benchmark.
 */
class BackendCallsTest {
    static final String REPO = "calls/app";

    final List<String> calls = new ArrayList<>();
    TestServer srv;
    Api api;
    Image img;
    String digest;

    @BeforeEach
    void setUp() throws Exception {
        InMemoryDriver real = new InMemoryDriver();
        StorageDriver counting = (StorageDriver) Proxy.newProxyInstance(StorageDriver.class.getClassLoader(),
                new Class<?>[] {StorageDriver.class}, (proxy, method, args) -> {
                    synchronized (calls) {
                        calls.add(method.getName() + (args != null && args.length > 0 && args[0] instanceof String p
                                ? " " + p.substring(p.lastIndexOf('/') + 1) : ""));
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        srv = TestServer.withDescriptorCache(counting);
        api = srv.api;
        img = Fixtures.ociImage(7);
        digest = Fixtures.pushImage(api, REPO, "v1", img);
    }

    @AfterEach
    void tearDown() throws Exception {
        srv.close();
    }

    List<String> callsOf(Runnable request) {
        synchronized (calls) {
            calls.clear();
        }
        request.run();
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    @Test
    void manifestByTagReadsOnlyTheTagLink() {
        expect(200, api.get("/v2/" + REPO + "/manifests/v1", "Accept", Fixtures.OCI_MANIFEST)); // warms the caches
        assertEquals(List.of("getContent link"), callsOf(() -> expect(200, api.head("/v2/" + REPO + "/manifests/v1"))));
        assertEquals(List.of("getContent link"), callsOf(() -> expect(200, api.get("/v2/" + REPO + "/manifests/v1"))));
    }

    @Test
    void manifestByDigestIsServedFromMemoryOnceSeen() {
        expect(200, api.get("/v2/" + REPO + "/manifests/" + digest));
        List<String> again = callsOf(() -> {
            Api.Resp r = expect(200, api.get("/v2/" + REPO + "/manifests/" + digest));
            assertEquals(new String(img.manifest()), new String(r.body()));
        });
        assertEquals(List.of(), again);
    }

    @Test
    void deletedManifestIsNotServedFromTheCache() {
        expect(200, api.get("/v2/" + REPO + "/manifests/" + digest));
        expect(202, api.delete("/v2/" + REPO + "/manifests/" + digest));
        expectError(404, "MANIFEST_UNKNOWN", api.get("/v2/" + REPO + "/manifests/" + digest));
        expectError(404, "MANIFEST_UNKNOWN", api.head("/v2/" + REPO + "/manifests/" + digest));
    }

    @Test
    void tagsListIsOneListing() {
        assertEquals(List.of("list tags"), callsOf(() -> expect(200, api.get("/v2/" + REPO + "/tags/list"))));
    }

    @Test
    void missingBlobAndManifestCostOneLookupEach() {
        String missing = Fixtures.sha256(Fixtures.utf8("not pushed"));
        assertEquals(List.of("statFile link"),
                callsOf(() -> expectError(404, "BLOB_UNKNOWN", api.head("/v2/" + REPO + "/blobs/" + missing))));
        assertEquals(List.of("statFile link"),
                callsOf(() -> expectError(404, "MANIFEST_UNKNOWN", api.head("/v2/" + REPO + "/manifests/" + missing))));
    }

    @Test
    void chunkNeverAsksTheDataSizeSeparately() {
        Api.Resp start = expect(202, api.post("/v2/" + REPO + "/blobs/uploads/", new byte[0]));
        String location = start.header("Location");
        byte[] chunk = Fixtures.bytes(3000, 9);
        List<String> patch = callsOf(() -> expect(202, api.patch(location, chunk,
                "Content-Type", "application/octet-stream", "Content-Range", "0-2999")));
        assertEquals(List.of("statFile startedat", "writer data"), patch);
    }

    /**
     * Re-tagging costs the three link writes distribution makes (revision link, whose time gc's
     * grace period reads, then the tag's index entry and current link) and no stat: the content
     * is known from the first push.
     */
    @Test
    void retaggingWritesTheThreeLinksAndStatsNothing() {
        assertEquals(List.of("putContent link", "putContent link", "putContent link"),
                callsOf(() -> expect(201, api.put("/v2/" + REPO + "/manifests/v2", img.manifest(), "Content-Type", img.mediaType()))));
    }
}
