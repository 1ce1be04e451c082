package io.berth.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Builds OCI image layouts (the {@code oci:} transport of skopeo) from generated content.
 * Everything is derived from the seed and fixed timestamps, so the same arguments always give the
 * same digests. Several images may be written into one layout directory under different tags.
 */
public final class TestImages {
    private TestImages() {}

    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String REF_NAME = "org.opencontainers.image.ref.name";
    private static final String CREATED = "2024-01-01T00:00:00Z";

    static final ObjectMapper JSON = new ObjectMapper();

    /** A content descriptor: what a manifest says about a blob. */
    public record Blob(String mediaType, String digest, long size) {}

    /**
     * One image manifest in a layout. {@code tag} is null for the per-platform children of an index.
     * {@code manifestBytes} are the exact bytes hashed to {@code manifest.digest()}.
     */
    public record Image(Path layout, String tag, String platform, Blob manifest, byte[] manifestBytes,
                        Blob config, List<Blob> layers, List<String> diffIds) {
        /** skopeo source/destination, e.g. {@code oci:/tmp/x/layout:v1}. */
        public String ociRef() {
            return TestImages.ociRef(layout, tag);
        }

        public String manifestDigest() {
            return manifest.digest();
        }

        public String configDigest() {
            return config.digest();
        }

        public List<String> layerDigests() {
            return layers.stream().map(Blob::digest).toList();
        }

        public long totalLayerBytes() {
            return layers.stream().mapToLong(Blob::size).sum();
        }
    }

    /** An image index (multi-platform image) and its children, in platform order. */
    public record Index(Path layout, String tag, Blob index, byte[] indexBytes, List<Image> manifests) {
        public String ociRef() {
            return TestImages.ociRef(layout, tag);
        }

        public String indexDigest() {
            return index.digest();
        }

        /** The child for a platform such as {@code linux/arm/v7}. */
        public Image platform(String platform) {
            return manifests.stream().filter(m -> m.platform().equals(platform)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no platform " + platform));
        }
    }

    /**
     * An amd64 image with {@code layers} gzip'd tar layers totalling roughly {@code totalBytes} of
     * blob data. Layers hold pseudo-random (incompressible) files, so compressed size ~ content size.
     */
    public static Image multiLayer(Path dir, String tag, long seed, int layers, long totalBytes) {
        if (layers < 1) {
            throw new IllegalArgumentException("need at least one layer");
        }
        try {
            initLayout(dir);
            SplittableRandom rnd = new SplittableRandom(seed);
            long perLayer = Math.max(0, totalBytes / layers);
            List<LayerBlob> ls = new ArrayList<>();
            for (int i = 0; i < layers; i++) {
                ls.add(writeLayer(dir, rnd.split(), "layer" + (i + 1), i + 1, layers, perLayer, seed));
            }
            Image img = writeImage(dir, tag, "linux/amd64", seed, ls);
            addToIndexJson(dir, tag, img.manifest());
            return img;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An OCI image index with linux/amd64 (2 layers), linux/arm64 (1 layer) and linux/arm/v7
     * (2 layers), each with its own config and small distinct layers; tagged {@code tag}.
     */
    public static Index multiPlatform(Path dir, String tag, long seed) {
        String[][] platforms = {{"linux/amd64", "2"}, {"linux/arm64", "1"}, {"linux/arm/v7", "2"}};
        try {
            initLayout(dir);
            SplittableRandom rnd = new SplittableRandom(seed);
            List<Image> children = new ArrayList<>();
            List<Map<String, Object>> descriptors = new ArrayList<>();
            for (String[] p : platforms) {
                int n = Integer.parseInt(p[1]);
                List<LayerBlob> ls = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    long size = 4096 + rnd.nextInt(60 * 1024);
                    String name = p[0].replace('/', '-') + "-layer" + (i + 1);
                    ls.add(writeLayer(dir, rnd.split(), name, i + 1, n, size, seed));
                }
                Image child = writeImage(dir, null, p[0], seed, ls);
                children.add(child);
                Map<String, Object> d = descriptor(child.manifest());
                d.put("platform", platformJson(p[0]));
                descriptors.add(d);
            }
            Map<String, Object> index = new LinkedHashMap<>();
            index.put("schemaVersion", 2);
            index.put("mediaType", OCI_INDEX);
            index.put("manifests", descriptors);
            byte[] bytes = JSON.writeValueAsBytes(index);
            Blob blob = writeBlob(dir, OCI_INDEX, bytes);
            addToIndexJson(dir, tag, blob);
            return new Index(dir, tag, blob, bytes, List.copyOf(children));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- reading layouts (e.g. ones skopeo pulled into) ----

    /** skopeo reference for a layout and tag: {@code oci:<dir>:<tag>}. */
    public static String ociRef(Path layout, String tag) {
        return "oci:" + layout.toAbsolutePath() + (tag == null ? "" : ":" + tag);
    }

    /** The top-level index.json descriptor for {@code tag}. */
    public static Blob resolveTag(Path layout, String tag) {
        JsonNode idx = readJson(layout.resolve("index.json"));
        for (JsonNode m : idx.path("manifests")) {
            if (tag.equals(m.path("annotations").path(REF_NAME).asText(null))) {
                return new Blob(m.path("mediaType").asText(null), m.path("digest").asText(),
                        m.path("size").asLong());
            }
        }
        throw new AssertionError("tag " + tag + " not in " + layout.resolve("index.json") + ": " + idx);
    }

    public static Path blobPath(Path layout, String digest) {
        String[] parts = digest.split(":", 2);
        return layout.resolve("blobs").resolve(parts[0]).resolve(parts[1]);
    }

    public static byte[] readBlob(Path layout, String digest) {
        try {
            return Files.readAllBytes(blobPath(layout, digest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode readBlobJson(Path layout, String digest) {
        return readJson(blobPath(layout, digest));
    }

    /** Layer digests listed by the manifest blob {@code manifestDigest} in a layout. */
    public static List<String> layerDigests(Path layout, String manifestDigest) {
        List<String> out = new ArrayList<>();
        readBlobJson(layout, manifestDigest).path("layers").forEach(l -> out.add(l.path("digest").asText()));
        return out;
    }

    public static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode parseJson(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text of each element of a JSON array (or of one field of each element). */
    public static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    public static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }

    /** {@code n} deterministic pseudo-random bytes, e.g. the content of a test blob. */
    public static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new RandomInputStream(new SplittableRandom(seed), n).read(b, 0, n);
        return b;
    }

    /** {@code sha256:<hex>} of the bytes. */
    public static String sha256(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(sha256Digest().digest(bytes));
    }

    // ---- writing ----

    private record LayerBlob(Blob blob, String diffId, String createdBy) {}

    private static void initLayout(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Path marker = dir.resolve("oci-layout");
        if (!Files.exists(marker)) {
            Files.writeString(marker, "{\"imageLayoutVersion\":\"1.0.0\"}");
        }
    }

    /**
     * Streams a tar through gzip into the layout, hashing both the tar (diff_id) and the gzip (blob
     * digest) on the way, so tens of MiB never sit in memory.
     */
    private static LayerBlob writeLayer(Path layout, SplittableRandom rnd, String dirName, int n, int of,
                                        long targetBytes, long seed) throws IOException {
        MessageDigest tarSha = sha256Digest();
        MessageDigest gzSha = sha256Digest();
        Path tmp = Files.createTempFile(layout.resolve("blobs/sha256"), ".layer", ".tmp");
        long gzSize;
        try (OutputStream file = Files.newOutputStream(tmp)) {
            CountingOutputStream counted = new CountingOutputStream(new DigestOutputStream(file, gzSha));
            // BEST_SPEED: the data is random anyway, and default-level deflate is several times slower.
            GZIPOutputStream gz = new GZIPOutputStream(counted, 64 * 1024) {
                {
                    def.setLevel(Deflater.BEST_SPEED);
                }
            };
            try (UstarWriter tar = new UstarWriter(new DigestOutputStream(gz, tarSha))) {
                tar.directory(dirName);
                String text = ("berth test layer " + n + " of " + of + ", seed " + seed + "\n").repeat(8);
                tar.file(dirName + "/README.txt", text.getBytes(StandardCharsets.UTF_8));
                // Budget for tar headers/padding so the blob lands near the target size.
                long data = Math.max(0, targetBytes - 8 * 1024);
                int files = 2 + rnd.nextInt(2);
                long[] sizes = split(rnd, data, files);
                for (int f = 0; f < files; f++) {
                    tar.file(dirName + "/data-" + f + ".bin", sizes[f], new RandomInputStream(rnd.split(), sizes[f]));
                }
            }
            gz.finish();
            gz.flush();
            gzSize = counted.count;
        }
        String digest = "sha256:" + HexFormat.of().formatHex(gzSha.digest());
        Path blob = blobPath(layout, digest);
        Files.move(tmp, blob, StandardCopyOption.REPLACE_EXISTING);
        // createTempFile made it 0600; other blobs (and what skopeo writes) are world-readable.
        Files.setPosixFilePermissions(blob, PosixFilePermissions.fromString("rw-r--r--"));
        String diffId = "sha256:" + HexFormat.of().formatHex(tarSha.digest());
        return new LayerBlob(new Blob(OCI_LAYER_GZIP, digest, gzSize), diffId,
                "berth-test: ADD " + dirName + " (layer " + n + " of " + of + ")");
    }

    /** Splits {@code total} into {@code parts} random, non-negative sizes. */
    private static long[] split(SplittableRandom rnd, long total, int parts) {
        double[] w = new double[parts];
        double sum = 0;
        for (int i = 0; i < parts; i++) {
            w[i] = 1 + rnd.nextDouble();
            sum += w[i];
        }
        long[] sizes = new long[parts];
        long used = 0;
        for (int i = 0; i < parts - 1; i++) {
            sizes[i] = (long) (total * (w[i] / sum));
            used += sizes[i];
        }
        sizes[parts - 1] = total - used;
        return sizes;
    }

    private static Image writeImage(Path dir, String tag, String platform, long seed, List<LayerBlob> layers)
            throws IOException {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("created", CREATED);
        config.putAll(platformJson(platform));
        // Ordered maps only: Map.of iteration order changes between JVM runs, and so would the digests.
        config.put("config", ordered(
                "Env", List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                "Cmd", List.of("/bin/sh"),
                "Labels", ordered("io.berth.test.seed", Long.toString(seed))));
        config.put("rootfs", ordered("type", "layers",
                "diff_ids", layers.stream().map(LayerBlob::diffId).toList()));
        config.put("history", layers.stream()
                .map(l -> ordered("created", CREATED, "created_by", l.createdBy())).toList());
        Blob configBlob = writeBlob(dir, OCI_CONFIG, JSON.writeValueAsBytes(config));

        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OCI_MANIFEST);
        manifest.put("config", descriptor(configBlob));
        manifest.put("layers", layers.stream().map(l -> descriptor(l.blob())).toList());
        byte[] bytes = JSON.writeValueAsBytes(manifest);
        Blob manifestBlob = writeBlob(dir, OCI_MANIFEST, bytes);
        return new Image(dir, tag, platform, manifestBlob, bytes, configBlob,
                layers.stream().map(LayerBlob::blob).toList(), layers.stream().map(LayerBlob::diffId).toList());
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Map<String, Object> platformJson(String platform) {
        String[] p = platform.split("/");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architecture", p[1]);
        m.put("os", p[0]);
        if (p.length > 2) {
            m.put("variant", p[2]);
        }
        return m;
    }

    private static Map<String, Object> descriptor(Blob b) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", b.mediaType());
        d.put("digest", b.digest());
        d.put("size", b.size());
        return d;
    }

    private static Blob writeBlob(Path layout, String mediaType, byte[] bytes) throws IOException {
        String digest = sha256(bytes);
        Path p = blobPath(layout, digest);
        if (!Files.exists(p)) {
            Files.write(p, bytes);
        }
        return new Blob(mediaType, digest, bytes.length);
    }

    /** Adds (or replaces) the entry for {@code tag} in the layout's index.json. */
    private static void addToIndexJson(Path dir, String tag, Blob target) throws IOException {
        Path file = dir.resolve("index.json");
        ArrayNode manifests = JSON.createArrayNode();
        if (Files.exists(file)) {
            for (JsonNode m : readJson(file).path("manifests")) {
                if (!tag.equals(m.path("annotations").path(REF_NAME).asText(null))) {
                    manifests.add(m);
                }
            }
        }
        ObjectNode entry = JSON.valueToTree(descriptor(target));
        entry.putObject("annotations").put(REF_NAME, tag);
        manifests.add(entry);
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", OCI_INDEX);
        index.set("manifests", manifests);
        Files.write(file, JSON.writeValueAsBytes(index));
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deterministic pseudo-random bytes; cheaper than Random.nextBytes and incompressible. */
    private static final class RandomInputStream extends InputStream {
        private final SplittableRandom rnd;
        private long remaining;

        RandomInputStream(SplittableRandom rnd, long size) {
            this.rnd = rnd;
            this.remaining = size;
        }

        @Override
        public int read() {
            if (remaining <= 0) {
                return -1;
            }
            remaining--;
            return rnd.nextInt(256);
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, remaining);
            int i = 0;
            for (; i + 8 <= n; i += 8) {
                long v = rnd.nextLong();
                for (int k = 0; k < 8; k++) {
                    b[off + i + k] = (byte) (v >>> (8 * k));
                }
            }
            for (; i < n; i++) {
                b[off + i] = (byte) rnd.nextInt(256);
            }
            remaining -= n;
            return n;
        }
    }

    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
