package io.berth.server.it.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.server.it.TestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Images for the object-storage tests, generated into temp directories (never into git).
 * {@link #big()} is built once per test JVM: a layer of more than 100 MiB of incompressible data
 * (so S3's multipart upload and multipart copy, and Azure's many append blocks, all run) under two
 * small layers, in one OCI layout.
 */
final class CloudImages {
    private CloudImages() {}

    static final int MIB = 1024 * 1024;
    static final long BIG_LAYER = 101L * MIB + 512 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestImages.Image big;

    /** The shared big image, tag {@code v1}, made on first use and deleted when the JVM exits. */
    static synchronized TestImages.Image big() {
        if (big == null) {
            try {
                Path dir = Files.createTempDirectory("berth-it-cloud-image");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
                big = compose(dir.resolve("layout"), "v1", 4242, BIG_LAYER, 3L * MIB);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return big;
    }

    /**
     * An image of three layers: one of about {@code bigLayer} bytes, then two sharing
     * {@code smallLayers} bytes, with a config whose diff_ids list all three in order.
     */
    static TestImages.Image compose(Path layout, String tag, long seed, long bigLayer, long smallLayers) {
        TestImages.Image large = TestImages.multiLayer(layout, tag + "-large", seed, 1, bigLayer);
        TestImages.Image small = TestImages.multiLayer(layout, tag + "-small", seed + 1, 2, smallLayers);
        List<TestImages.Blob> layers = new ArrayList<>(large.layers());
        layers.addAll(small.layers());
        List<String> diffIds = new ArrayList<>(large.diffIds());
        diffIds.addAll(small.diffIds());
        try {
            ObjectNode config = (ObjectNode) TestImages.readBlobJson(layout, large.configDigest()).deepCopy();
            ArrayNode ids = ((ObjectNode) config.get("rootfs")).putArray("diff_ids");
            diffIds.forEach(ids::add);
            ArrayNode history = config.putArray("history");
            for (int i = 0; i < layers.size(); i++) {
                history.addObject().put("created", "2024-01-01T00:00:00Z")
                        .put("created_by", "berth-test: layer " + (i + 1) + " of " + layers.size());
            }
            TestImages.Blob configBlob = writeBlob(layout, TestImages.OCI_CONFIG, JSON.writeValueAsBytes(config));
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("schemaVersion", 2);
            manifest.put("mediaType", TestImages.OCI_MANIFEST);
            manifest.put("config", descriptor(configBlob));
            manifest.put("layers", layers.stream().map(CloudImages::descriptor).toList());
            byte[] bytes = JSON.writeValueAsBytes(manifest);
            TestImages.Blob manifestBlob = writeBlob(layout, TestImages.OCI_MANIFEST, bytes);
            tag(layout, tag, manifestBlob);
            return new TestImages.Image(layout, tag, "linux/amd64", manifestBlob, bytes, configBlob,
                    List.copyOf(layers), List.copyOf(diffIds));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> descriptor(TestImages.Blob b) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", b.mediaType());
        d.put("digest", b.digest());
        d.put("size", b.size());
        return d;
    }

    private static TestImages.Blob writeBlob(Path layout, String mediaType, byte[] bytes) throws IOException {
        String digest = TestImages.sha256(bytes);
        Path p = TestImages.blobPath(layout, digest);
        if (!Files.exists(p)) {
            Files.write(p, bytes);
        }
        return new TestImages.Blob(mediaType, digest, bytes.length);
    }

    private static void tag(Path layout, String tag, TestImages.Blob manifest) throws IOException {
        Path file = layout.resolve("index.json");
        ObjectNode index = (ObjectNode) TestImages.readJson(file);
        ArrayNode manifests = JSON.createArrayNode();
        for (JsonNode m : index.path("manifests")) {
            if (!tag.equals(m.path("annotations").path(TestImages.REF_NAME).asText(null))) {
                manifests.add(m);
            }
        }
        ObjectNode entry = JSON.valueToTree(descriptor(manifest));
        entry.putObject("annotations").put(TestImages.REF_NAME, tag);
        manifests.add(entry);
        index.set("manifests", manifests);
        Files.write(file, JSON.writeValueAsBytes(index));
    }

    static void deleteTree(Path root) {
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }
}
