package io.berth.server.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real skopeo client against Berth running in this JVM on a filesystem store: images go in
 * and come back out bit for bit (manifest, config and layer digests), multi-platform indexes with
 * every child, Docker schema 2 manifests including pulls by digest, cross-repository reuse of
 * blobs, and deletes.
 */
class SkopeoRoundTripTest {
    private static final long MIB = 1024 * 1024;
    private static final String DOCKER_V2S2 = "application/vnd.docker.distribution.manifest.v2+json";

    @TempDir
    static Path images;

    /** 4 layers, ~40 MiB of incompressible gzip'd tar. */
    static TestImages.Image big;
    static TestImages.Index multi;

    @TempDir
    Path tmp;

    @BeforeAll
    static void buildImages() {
        big = TestImages.multiLayer(images.resolve("big"), "v1", 1001, 4, 40 * MIB);
        multi = TestImages.multiPlatform(images.resolve("multi"), "multi", 1002);
        assertTrue(big.totalLayerBytes() > 38 * MIB, "image is ~40 MiB: " + big.totalLayerBytes());
    }

    @Test
    void multiLayerOciImageRoundTripsBitForBit() throws IOException {
        Path storage = tmp.resolve("storage");
        try (BerthServer berth = BerthServer.start(storage)) {
            String ref = Skopeo.docker(berth.hostPort(), "roundtrip/big:v1");
            Skopeo.copy(big.ociRef(), ref);

            // Berth serves exactly the bytes skopeo pushed (OCI to OCI: no conversion).
            assertArrayEquals(big.manifestBytes(), Skopeo.inspectRawBytes(ref));
            assertEquals(List.of("v1"), Skopeo.listTags(Skopeo.docker(berth.hostPort(), "roundtrip/big")));
            JsonNode summary = Skopeo.inspect(ref);
            assertEquals(big.manifestDigest(), summary.path("Digest").asText());
            assertEquals(big.layerDigests(), TestImages.texts(summary.path("Layers")));

            Path out = tmp.resolve("pulled");
            Skopeo.copy(ref, Skopeo.oci(out, "v1"));
            TestImages.Blob pulled = TestImages.resolveTag(out, "v1");
            assertEquals(big.manifestDigest(), pulled.digest());
            assertEquals(TestImages.OCI_MANIFEST, pulled.mediaType());
            assertArrayEquals(big.manifestBytes(), TestImages.readBlob(out, pulled.digest()));
            JsonNode manifest = TestImages.readBlobJson(out, pulled.digest());
            assertEquals(big.configDigest(), manifest.path("config").path("digest").asText());
            assertEquals(big.layerDigests(), TestImages.layerDigests(out, pulled.digest()));
            StorageChecks.assertLayoutHasBlobs(out, big);

            // Server side: the layout distribution would have written.
            List<String> stored = StorageChecks.assertEveryBlobHashesToItsPath(storage);
            assertTrue(stored.containsAll(big.layerDigests()), "all layers stored: " + stored);
            assertTrue(stored.contains(big.configDigest()) && stored.contains(big.manifestDigest()));
            for (String d : big.layerDigests()) {
                StorageChecks.assertLink(StorageChecks.layerLink(storage, "roundtrip/big", d), d);
            }
            StorageChecks.assertLink(StorageChecks.v2(storage)
                    .resolve("repositories/roundtrip/big/_manifests/tags/v1/current/link"), big.manifestDigest());
        }
    }

    @Test
    void multiPlatformIndexRoundTripsWithAll() throws IOException {
        Path storage = tmp.resolve("storage");
        try (BerthServer berth = BerthServer.start(storage)) {
            String host = berth.hostPort();
            String ref = Skopeo.docker(host, "roundtrip/multi:multi");
            Skopeo.copyAll(multi.ociRef(), ref);

            assertArrayEquals(multi.indexBytes(), Skopeo.inspectRawBytes(ref));
            for (TestImages.Image child : multi.manifests()) {
                // Every child is reachable by digest, with its exact bytes.
                assertArrayEquals(child.manifestBytes(),
                        Skopeo.inspectRawBytes(Skopeo.docker(host, "roundtrip/multi@" + child.manifestDigest())),
                        child.platform());
            }
            // Platform selection through the index resolves to the right child.
            JsonNode arm = Skopeo.inspect(ref, "--override-os", "linux", "--override-arch", "arm",
                    "--override-variant", "v7");
            // (skopeo reports the digest of what the tag names, the index; the rest is the child's.)
            assertEquals(multi.indexDigest(), arm.path("Digest").asText());
            assertEquals("arm", arm.path("Architecture").asText());
            assertEquals(multi.platform("linux/arm/v7").layerDigests(), TestImages.texts(arm.path("Layers")));

            Path out = tmp.resolve("pulled");
            Skopeo.copyAll(ref, Skopeo.oci(out, "multi"));
            TestImages.Blob pulled = TestImages.resolveTag(out, "multi");
            assertEquals(multi.indexDigest(), pulled.digest());
            assertArrayEquals(multi.indexBytes(), TestImages.readBlob(out, pulled.digest()));
            JsonNode index = TestImages.readBlobJson(out, pulled.digest());
            List<String> childDigests = new ArrayList<>();
            index.path("manifests").forEach(m -> childDigests.add(m.path("digest").asText()));
            assertEquals(multi.manifests().stream().map(TestImages.Image::manifestDigest).toList(), childDigests);
            for (TestImages.Image child : multi.manifests()) {
                assertArrayEquals(child.manifestBytes(), TestImages.readBlob(out, child.manifestDigest()));
                assertEquals(child.layerDigests(), TestImages.layerDigests(out, child.manifestDigest()));
                StorageChecks.assertLayoutHasBlobs(out, child);
            }
            StorageChecks.assertEveryBlobHashesToItsPath(storage);
        }
    }

    @Test
    void dockerSchema2ImageRoundTripsAndPullsByDigest() throws IOException {
        TestImages.Image img = TestImages.multiLayer(tmp.resolve("v2s2-src"), "v1", 1003, 3, 6 * MIB);
        Path storage = tmp.resolve("storage");
        try (BerthServer berth = BerthServer.start(storage)) {
            String host = berth.hostPort();
            String ref = Skopeo.docker(host, "roundtrip/docker:v1");
            Skopeo.copyV2s2(img.ociRef(), ref);

            byte[] raw = Skopeo.inspectRawBytes(ref);
            JsonNode manifest = TestImages.parseJson(raw);
            assertEquals(DOCKER_V2S2, manifest.path("mediaType").asText());
            assertEquals(2, manifest.path("schemaVersion").asInt());
            assertEquals("application/vnd.docker.image.rootfs.diff.tar.gzip",
                    manifest.path("layers").path(0).path("mediaType").asText());
            List<String> layers = TestImages.texts(manifest.path("layers"), "digest");
            assertEquals(img.layerDigests(), layers, "skopeo reuses the gzip layers as they are");
            String digest = TestImages.sha256(raw);
            assertNotEquals(img.manifestDigest(), digest, "the manifest was converted");

            // The HEAD/GET answer carries the digest of exactly these bytes.
            Http.Response head = Http.head(berth.url() + "/v2/roundtrip/docker/manifests/v1",
                    "Accept", DOCKER_V2S2);
            assertEquals(200, head.status(), head.toString());
            assertEquals(digest, head.header("Docker-Content-Digest"));
            assertEquals(DOCKER_V2S2, head.header("Content-Type"));

            Path out = tmp.resolve("pulled-by-tag");
            Skopeo.copy(ref, Skopeo.dir(out));
            assertArrayEquals(raw, Files.readAllBytes(out.resolve("manifest.json")));
            StorageChecks.assertDirHasBlobs(out, layers);
            StorageChecks.assertDirHasBlobs(out, List.of(manifest.path("config").path("digest").asText()));

            Path byDigest = tmp.resolve("pulled-by-digest");
            Skopeo.copy(Skopeo.docker(host, "roundtrip/docker@" + digest), Skopeo.dir(byDigest));
            assertArrayEquals(raw, Files.readAllBytes(byDigest.resolve("manifest.json")));
            StorageChecks.assertDirHasBlobs(byDigest, layers);
            assertArrayEquals(raw, Skopeo.inspectRawBytes(Skopeo.docker(host, "roundtrip/docker@" + digest)));
            StorageChecks.assertEveryBlobHashesToItsPath(storage);
        }
    }

    @Test
    void secondRepositoryReusesBlobsAndDeleteRemovesTheManifest() throws IOException {
        Path storage = tmp.resolve("storage");
        try (BerthServer berth = BerthServer.start(storage)) {
            String host = berth.hostPort();
            String first = Skopeo.docker(host, "team-a/app:v1");
            String second = Skopeo.docker(host, "team-b/app:v1");
            Skopeo.copy(big.ociRef(), first);

            // Registry to registry on the same host: skopeo's blob-info cache knows team-a holds the
            // layers (it just pushed them), so it asks for cross-repository mounts instead of uploading.
            // Its --debug log names every request, which is how we see no layer bytes were sent.
            Processes.Result copy = Skopeo.copy(first, second, "--debug");
            String log = copy.stderr();
            for (String d : big.layerDigests()) {
                String mount = "POST http://" + host + "/v2/team-b/app/blobs/uploads/?from=team-a%2Fapp&mount="
                        + d.replace(":", "%3A");
                assertTrue(log.contains(mount), "layer " + d + " should be mounted: " + mount + "\n" + log);
                assertFalse(log.contains("Upload of layer " + d), "layer " + d + " was uploaded again\n" + log);
                StorageChecks.assertLink(StorageChecks.layerLink(storage, "team-b/app", d), d);
            }
            assertEquals(big.layers().size(), count(log, "mount OK"), log);
            // At most the config blob travels (skopeo 1.9 does not try to mount configs).
            assertTrue(count(log, "PATCH http://") <= 1, log);
            assertArrayEquals(big.manifestBytes(), Skopeo.inspectRawBytes(second));
            // One copy of each blob on disk, linked from both repositories.
            long layerFiles = StorageChecks.assertEveryBlobHashesToItsPath(storage).stream()
                    .filter(Set.copyOf(big.layerDigests())::contains).count();
            assertEquals(big.layers().size(), layerFiles);

            Processes.Result del = Skopeo.tryDelete(second);
            assertEquals(0, del.exitCode(), del.describe());
            Processes.Result gone = Skopeo.tryInspectRaw(second);
            assertNotEquals(0, gone.exitCode(), gone.describe());
            assertTrue(gone.stderr().contains("manifest unknown"), gone.describe());
            Http.Response byDigest = Http.get(berth.url() + "/v2/team-b/app/manifests/" + big.manifestDigest(),
                    "Accept", TestImages.OCI_MANIFEST);
            assertEquals(404, byDigest.status(), byDigest.toString());
            assertTrue(byDigest.bodyString().contains("MANIFEST_UNKNOWN"), byDigest.toString());
            // The repository remains, without the tag (distribution answers "tags":null here).
            Http.Response tags = Http.get(berth.url() + "/v2/team-b/app/tags/list");
            assertEquals(200, tags.status(), tags.toString());
            assertEquals(List.of(), TestImages.texts(TestImages.parseJson(tags.body()).path("tags")), tags.toString());
            // On disk as distribution leaves it: tag and revision link gone, blobs kept for gc.
            Path manifests = StorageChecks.v2(storage).resolve("repositories/team-b/app/_manifests");
            assertFalse(Files.exists(manifests.resolve("tags/v1")));
            assertFalse(Files.exists(manifests.resolve("revisions/sha256/"
                    + big.manifestDigest().substring("sha256:".length()) + "/link")));
            assertTrue(Files.isRegularFile(StorageChecks.blobData(storage, big.manifestDigest())));

            // The other repository, and the shared blobs, are untouched.
            assertArrayEquals(big.manifestBytes(), Skopeo.inspectRawBytes(first));
            Path out = tmp.resolve("pulled");
            Skopeo.copy(first, Skopeo.oci(out, "v1"));
            assertEquals(big.manifestDigest(), TestImages.resolveTag(out, "v1").digest());
            StorageChecks.assertLayoutHasBlobs(out, big);
        }
    }

    static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }
}
