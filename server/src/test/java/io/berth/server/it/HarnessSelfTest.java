package io.berth.server.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the integration-test harness against the reference registry alone (no Berth involved):
 * generated layouts are valid for skopeo, skopeo talks plain HTTP to docker-registry, digests
 * round-trip, and the on-disk layout is where the Berth tests will look for it.
 */
class HarnessSelfTest {
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path tmp;

    @Test
    void generatedImagesAreDeterministicAndWellFormed() throws Exception {
        TestImages.Image a = TestImages.multiLayer(tmp.resolve("a"), "v1", 7, 2, 256 * 1024);
        TestImages.Image b = TestImages.multiLayer(tmp.resolve("b"), "v1", 7, 2, 256 * 1024);
        TestImages.Image c = TestImages.multiLayer(tmp.resolve("c"), "v1", 8, 2, 256 * 1024);
        assertEquals(a.manifestDigest(), b.manifestDigest(), "same seed, same digests");
        assertTrue(Set.copyOf(a.layerDigests()).stream().noneMatch(c.layerDigests()::contains),
                "different seed, different layers");
        // Every blob is stored under its own digest.
        for (TestImages.Blob blob : a.layers()) {
            byte[] data = TestImages.readBlob(a.layout(), blob.digest());
            assertEquals(blob.size(), data.length);
            assertEquals(blob.digest(), TestImages.sha256(data));
        }
        // GNU tar validates ustar checksums and sizes; list one layer through gzip.
        Path layer = TestImages.blobPath(a.layout(), a.layerDigests().get(0));
        Processes.Result tar = Processes.runChecked(List.of("tar", "-tzvf", layer.toString()), null,
                Duration.ofSeconds(30));
        assertTrue(tar.stdout().contains("layer1/README.txt"), tar.describe());
        assertTrue(tar.stdout().contains("layer1/data-0.bin"), tar.describe());
        JsonNode config = TestImages.readBlobJson(a.layout(), a.configDigest());
        assertEquals("amd64", config.path("architecture").asText());
        assertEquals(a.diffIds().get(0), config.path("rootfs").path("diff_ids").path(0).asText());
    }

    @Test
    void roundTripThroughDistribution() throws IOException {
        TestImages.Image image = TestImages.multiLayer(tmp.resolve("src-image"), "v1", 42, 3, 12 * MIB);
        TestImages.Index index = TestImages.multiPlatform(tmp.resolve("src-index"), "multi", 43);
        assertEquals(3, image.layers().size());
        assertTrue(image.totalLayerBytes() > 11 * MIB && image.totalLayerBytes() < 13 * MIB,
                "layer bytes ~12 MiB: " + image.totalLayerBytes());

        Path storage = tmp.resolve("storage");
        try (DistributionRegistry reg = DistributionRegistry.start(storage, tmp.resolve("registry-work"))) {
            String host = reg.hostPort();
            String ociRepo = Skopeo.docker(host, "harness/image:v1");
            String v2s2Repo = Skopeo.docker(host, "harness/image-v2s2:v1");
            String multiRepo = Skopeo.docker(host, "harness/multi:multi");

            Skopeo.copy(image.ociRef(), ociRepo);
            Skopeo.copyV2s2(image.ociRef(), v2s2Repo);
            Skopeo.copyAll(index.ociRef(), multiRepo);

            // OCI copy: the registry serves exactly the manifest bytes we generated.
            assertArrayEquals(image.manifestBytes(), Skopeo.inspectRawBytes(ociRepo));
            assertArrayEquals(index.indexBytes(), Skopeo.inspectRawBytes(multiRepo));
            assertEquals(List.of("v1"), Skopeo.listTags(Skopeo.docker(host, "harness/image")));

            // Pull back into fresh layouts and compare digests.
            Path outImage = tmp.resolve("out-image");
            Skopeo.copy(ociRepo, Skopeo.oci(outImage, "v1"));
            TestImages.Blob pulled = TestImages.resolveTag(outImage, "v1");
            assertEquals(image.manifestDigest(), pulled.digest());
            assertEquals(image.layerDigests(), TestImages.layerDigests(outImage, pulled.digest()));

            // v2s2: skopeo rewrote the manifest (new media types), but the gzip layers are reused as-is.
            JsonNode v2s2 = TestImages.parseJson(Skopeo.inspectRawBytes(v2s2Repo));
            assertEquals("application/vnd.docker.distribution.manifest.v2+json", v2s2.path("mediaType").asText());
            Path outV2s2 = tmp.resolve("out-v2s2");
            Skopeo.copy(v2s2Repo, Skopeo.dir(outV2s2));
            JsonNode dirManifest = TestImages.readJson(outV2s2.resolve("manifest.json"));
            assertEquals(image.layerDigests(), digests(dirManifest.path("layers")));
            for (String d : image.layerDigests()) {
                assertTrue(Files.exists(outV2s2.resolve(d.substring("sha256:".length()))), "dir: blob " + d);
            }

            Path outMulti = tmp.resolve("out-multi");
            Skopeo.copyAll(multiRepo, Skopeo.oci(outMulti, "multi"));
            TestImages.Blob pulledIndex = TestImages.resolveTag(outMulti, "multi");
            assertEquals(index.indexDigest(), pulledIndex.digest());
            JsonNode pulledIndexJson = TestImages.readBlobJson(outMulti, pulledIndex.digest());
            assertEquals(index.manifests().size(), pulledIndexJson.path("manifests").size());
            for (TestImages.Image child : index.manifests()) {
                assertEquals(child.layerDigests(), TestImages.layerDigests(outMulti, child.manifestDigest()),
                        child.platform());
            }
            assertEquals("arm", TestImages.readBlobJson(outMulti,
                    index.platform("linux/arm/v7").configDigest()).path("architecture").asText());

            // On-disk layout, as the Berth tests will check it.
            Path v2 = storage.resolve("docker/registry/v2");
            List<String> allBlobs = new ArrayList<>(image.layerDigests());
            allBlobs.add(image.configDigest());
            allBlobs.add(image.manifestDigest());
            allBlobs.add(index.indexDigest());
            for (TestImages.Image child : index.manifests()) {
                allBlobs.addAll(child.layerDigests());
                allBlobs.add(child.configDigest());
                allBlobs.add(child.manifestDigest());
            }
            for (String d : allBlobs) {
                String hex = d.substring("sha256:".length());
                Path data = v2.resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
                assertTrue(Files.isRegularFile(data), "missing blob data " + data);
            }
            assertLink(v2.resolve("repositories/harness/image/_manifests/tags/v1/current/link"),
                    image.manifestDigest());
            assertLink(v2.resolve("repositories/harness/multi/_manifests/tags/multi/current/link"),
                    index.indexDigest());
            assertLink(v2.resolve("repositories/harness/image-v2s2/_manifests/tags/v1/current/link"),
                    TestImages.sha256(Skopeo.inspectRawBytes(v2s2Repo)));
            for (String d : image.layerDigests()) {
                assertLink(v2.resolve("repositories/harness/image/_layers/sha256/"
                        + d.substring("sha256:".length()) + "/link"), d);
            }
            assertTrue(reg.isRunning(), reg.logTail());
        }

        // Reference GC over the same storage: everything is tagged, so nothing may be swept.
        Processes.Result gc = DistributionRegistry.garbageCollectStorage(storage, true, true);
        assertTrue(gc.output().contains(image.manifestDigest().substring("sha256:".length()))
                || gc.output().contains(image.manifestDigest()), gc.describe());
    }

    private static void assertLink(Path link, String digest) throws IOException {
        assertTrue(Files.isRegularFile(link), "missing link " + link);
        assertEquals(digest, Files.readString(link), link.toString());
    }

    private static List<String> digests(JsonNode descriptors) {
        List<String> out = new ArrayList<>();
        descriptors.forEach(d -> out.add(d.path("digest").asText()));
        return out;
    }
}
