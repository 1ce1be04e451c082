package io.berth.server.compat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.reference.RepositoryName;
import io.berth.core.reference.Tag;
import io.berth.core.registry.Registry;
import io.berth.server.http.ApiPolicy;
import io.berth.server.http.RegistryServer;
import io.berth.storage.filesystem.FilesystemDriver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A signed schema1 manifest already in a store (pushed long ago to an old distribution) is
 * served byte for byte, with its stored digest; a new schema1 push is refused.
 */
class Schema1ServingTest {
    private static final String SIGNED = """
            {
               "schemaVersion": 1,
               "name": "legacy/app",
               "tag": "old",
               "architecture": "amd64",
               "fsLayers": [
                  {
                     "blobSum": "%s"
                  },
                  {
                     "blobSum": "%s"
                  }
               ],
               "history": [
                  {"v1Compatibility": "{\\"id\\":\\"b\\",\\"parent\\":\\"a\\"}"},
                  {"v1Compatibility": "{\\"id\\":\\"a\\"}"}
               ],
               "signatures": [
                  {
                     "header": {"jwk": {"crv": "P-256", "kty": "EC", "x": "abc", "y": "def"}, "alg": "ES256"},
                     "signature": "c2lnbmF0dXJl",
                     "protected": "eyJmb3JtYXRMZW5ndGgiOjEsImZvcm1hdFRhaWwiOiJmUSJ9"
                  }
               ]
            }""";

    @TempDir
    Path root;

    @Test
    void storedSignedSchema1IsServedAsStored() throws Exception {
        FilesystemDriver driver = new FilesystemDriver(root);
        RepositoryName name = RepositoryName.of("legacy/app");
        byte[] layerA = "layer a".getBytes(StandardCharsets.UTF_8);
        byte[] layerB = "layer b".getBytes(StandardCharsets.UTF_8);
        Digest da = Digest.sha256(layerA);
        Digest db = Digest.sha256(layerB);
        byte[] manifest = SIGNED.formatted(db, da).getBytes(StandardCharsets.UTF_8);
        Digest dm = Digest.sha256(manifest);
        // lay the store out by hand, as an old registry left it
        for (var e : new Object[][] {{da, layerA}, {db, layerB}}) {
            Digest d = (Digest) e[0];
            driver.putContent(PathLayout.blobData(d), (byte[]) e[1]);
            driver.putContent(PathLayout.layerLink(name, d), PathLayout.linkContent(d));
        }
        driver.putContent(PathLayout.blobData(dm), manifest);
        driver.putContent(PathLayout.revisionLink(name, dm), PathLayout.linkContent(dm));
        driver.putContent(PathLayout.tagIndexLink(name, Tag.of("old"), dm), PathLayout.linkContent(dm));
        driver.putContent(PathLayout.tagCurrentLink(name, Tag.of("old")), PathLayout.linkContent(dm));

        try (RegistryServer server = new RegistryServer(new Registry(driver), ApiPolicy.defaults(), "127.0.0.1", 0)) {
            server.start();
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port() + "/v2/legacy/app/manifests/";
            for (String accept : new String[] {"application/vnd.docker.distribution.manifest.v1+prettyjws", null}) {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "old"));
                if (accept != null) {
                    b.header("Accept", accept);
                }
                HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, r.statusCode());
                assertArrayEquals(manifest, r.body());
                assertEquals("application/vnd.docker.distribution.manifest.v1+prettyjws",
                        r.headers().firstValue("Content-Type").orElse(""));
                assertEquals(dm.toString(), r.headers().firstValue("Docker-Content-Digest").orElse(""));
            }
            HttpResponse<byte[]> byDigest = http.send(HttpRequest.newBuilder(URI.create(base + dm)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertArrayEquals(manifest, byDigest.body());

            HttpResponse<String> push = http.send(HttpRequest.newBuilder(URI.create(base + "new"))
                    .header("Content-Type", "application/vnd.docker.distribution.manifest.v1+prettyjws")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, push.statusCode());
            assertTrue(push.body().contains("MANIFEST_INVALID"), push.body());
            HttpResponse<String> after = http.send(HttpRequest.newBuilder(URI.create(base + "new")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, after.statusCode());
        }
    }
}
