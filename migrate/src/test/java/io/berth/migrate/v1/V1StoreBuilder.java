package io.berth.migrate.v1;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.core.storage.StorageDriver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * Generates V1 stores (the Python docker-registry's tree, spec §2–§5) through any storage driver:
 * a filesystem root, or an S3 bucket whose driver rootdirectory is the registry's storage_path
 * ({@code registry/images/<id>/json}…). Image JSON as docker 1.6 wrote it (Go field order,
 * trailing newline), ancestry and {@code _checksum} as the registry wrote them, tags as bare ids,
 * real tar layers stored as gzip (sync-flushed like tarsum), xz, bzip2 or plain tar. Knobs make
 * each anomaly of the spec's table.
 */
public final class V1StoreBuilder {
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Stored { GZIP, XZ, BZIP2, TAR }

    /**
     * How {@code _checksum} is written (spec §5). TARSUM_ONLY: {@code ["tarsum+sha256:…"]};
     * TARSUM_BARE: the bare string registry 0.5–0.6 stored from docker 0.6–0.9's {@code PUT checksum};
     * PAYLOAD_AND_TARSUM: registry 0.7–0.9.0 with docker &lt; 0.10; TARSUM_V1 / TARSUM_DEV: the other
     * labels docker's tarsum knows; UNKNOWN_FORMAT: a checksum nothing can verify.
     */
    public enum Checksum {
        PAYLOAD, NONE, TARSUM_ONLY, TARSUM_BARE, PAYLOAD_AND_TARSUM, TARSUM_V1, TARSUM_DEV, UNKNOWN_FORMAT, BARE_STRING, WRONG
    }

    private final StorageDriver driver;
    private final Random random;
    private final Map<String, Image> images = new LinkedHashMap<>();

    /** What was pushed, so tests can check the migration against it. */
    public record Image(String id, String parent, byte[] json, byte[] tar, byte[] stored, Stored storedAs) {
        public String diffId() {
            return sha256(tar);
        }
    }

    public V1StoreBuilder(StorageDriver driver, long seed) {
        this.driver = driver;
        this.random = new Random(seed);
    }

    public Map<String, Image> images() {
        return images;
    }

    public Image image(String id) {
        return images.get(id);
    }

    public String newId() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** A layer with a few files: a directory, one random file and one compressible text file. */
    public byte[] layerTar(int randomSize) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        String dir = "d" + Long.toHexString(random.nextLong()) + "/";
        files.put(dir, new byte[0]);
        files.put(dir + "random.bin", randomBytes(randomSize));
        files.put(dir + "text.txt", ("hello " + random.nextInt() + "\n").repeat(50).getBytes(StandardCharsets.UTF_8));
        return TarBytes.of(files, true, false);
    }

    /** An image to push; defaults are a docker 1.6 push with a gzip layer. */
    public final class Push {
        private String id = newId();
        private String parent;
        private byte[] tar = TarBytes.emptyLayer();
        private Stored stored = Stored.GZIP;
        private Checksum checksum = Checksum.PAYLOAD;
        private String cmd = "/bin/sh -c #(nop) CMD [/bin/sh]";
        private String architecture = "amd64";
        private boolean withOs = true;
        private String dockerVersion = "1.6.2";
        private boolean inProgress;
        private boolean dependencyOnly;
        private String declaredId;
        private byte[] rawJson;
        private byte[] storedOverride;
        private List<String> ancestry;
        private byte[] checksumTar;

        public Push id(String v) { id = v; return this; }
        public Push parent(String v) { parent = v; return this; }
        public Push tar(byte[] v) { tar = v; return this; }
        public Push stored(Stored v) { stored = v; return this; }
        public Push checksum(Checksum v) { checksum = v; return this; }
        public Push cmd(String v) { cmd = v; return this; }
        /** docker ≤ 0.7: architecture x86_64 and no os. */
        public Push oldDocker() { architecture = "x86_64"; withOs = false; return this; }
        /**
         * docker 0.8 pushing to registry 0.6: x86_64 without os, JSON without the trailing newline
         * docker 1.4 added, the tar re-serialized without end blocks, {@code _checksum} the bare
         * tarsum docker sent in {@code PUT checksum}.
         */
        public Push tarsumEra() {
            oldDocker();
            dockerVersion = "0.8.1";
            checksum = Checksum.TARSUM_BARE;
            return this;
        }
        public Push inProgress() { inProgress = true; return this; }
        /** docker ≥ 1.10 dependency image: {"id","parent"} only. */
        public Push dependencyOnly() { dependencyOnly = true; return this; }
        public Push declaredId(String v) { declaredId = v; return this; }
        public Push rawJson(byte[] v) { rawJson = v; return this; }
        /** Stored layer bytes replaced after the checksum was computed (corruption, truncation). */
        public Push storedBytes(byte[] v) { storedOverride = v; return this; }
        public Push ancestry(List<String> v) { ancestry = v; return this; }
        /** The tar the client computed its tarsum over, when the stored one differs (re-serialized, altered). */
        public Push checksumTar(byte[] v) { checksumTar = v; return this; }

        public String push() {
            byte[] json = rawJson != null ? rawJson : json();
            byte[] storedBytes = compress(tar, stored);
            String dir = "/images/" + id;
            put(dir + "/json", json);
            byte[] layer = storedOverride != null ? storedOverride : storedBytes;
            put(dir + "/layer", layer);
            List<String> anc = ancestry;
            if (anc == null) {
                anc = new ArrayList<>();
                anc.add(id);
                for (String p = parent; p != null; p = images.containsKey(p) ? images.get(p).parent() : null) {
                    anc.add(p);
                }
            }
            put(dir + "/ancestry", pythonList(anc));
            String payload = "sha256:" + sha256(concat(json, "\n".getBytes(StandardCharsets.UTF_8), storedBytes));
            byte[] summed = checksumTar != null ? checksumTar : tar;
            switch (checksum) {
                case PAYLOAD -> put(dir + "/_checksum", pythonList(List.of(payload)));
                case BARE_STRING -> put(dir + "/_checksum", payload.getBytes(StandardCharsets.UTF_8));
                case TARSUM_ONLY -> put(dir + "/_checksum", pythonList(List.of(tarsum(summed, TarSum.Version.V0, json))));
                case TARSUM_BARE -> put(dir + "/_checksum", tarsum(summed, TarSum.Version.V0, json).getBytes(StandardCharsets.UTF_8));
                case PAYLOAD_AND_TARSUM -> put(dir + "/_checksum",
                        pythonList(List.of(payload, tarsum(summed, TarSum.Version.V0, json))));
                case TARSUM_V1 -> put(dir + "/_checksum", pythonList(List.of(tarsum(summed, TarSum.Version.V1, json))));
                case TARSUM_DEV -> put(dir + "/_checksum", pythonList(List.of(tarsum(summed, TarSum.Version.DEV, json))));
                case UNKNOWN_FORMAT -> put(dir + "/_checksum", pythonList(List.of("tarsum.v9+sha256:" + sha256(tar))));
                case WRONG -> put(dir + "/_checksum", pythonList(List.of("sha256:" + sha256(new byte[] {1}))));
                case NONE -> { }
            }
            if (inProgress) {
                put(dir + "/_inprogress", "true".getBytes(StandardCharsets.UTF_8));
            }
            images.put(id, new Image(id, parent, json, tar, layer, stored));
            return id;
        }

        private byte[] json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", declaredId != null ? declaredId : id);
            if (parent != null) {
                m.put("parent", parent);
            }
            if (!dependencyOnly) {
                m.put("created", "2015-05-12T08:30:" + String.format("%02d", images.size() % 60) + ".412356072Z");
                m.put("container", newId());
                Map<String, Object> cc = new LinkedHashMap<>();
                cc.put("Hostname", "9f5c1e2a3b4c");
                cc.put("Env", List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
                cc.put("Cmd", List.of("/bin/sh", "-c", cmd));
                cc.put("Image", parent == null ? "" : parent);
                cc.put("OnBuild", List.of());
                cc.put("Labels", Map.of());
                m.put("container_config", cc);
                m.put("docker_version", dockerVersion);
                m.put("author", "Alice Example <alice@example.com>");
                Map<String, Object> config = new LinkedHashMap<>(cc);
                config.put("Cmd", List.of("/bin/sh"));
                m.put("config", config);
                m.put("architecture", architecture);
                if (withOs) {
                    m.put("os", "linux");
                }
                m.put("Size", tar.length);
            }
            try {
                boolean newline = !dependencyOnly && !dockerVersion.startsWith("0.");
                return concat(JSON.writeValueAsBytes(m), newline ? "\n".getBytes(StandardCharsets.UTF_8) : new byte[0]);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public Push image() {
        return new Push();
    }

    /** A chain of {@code n} images with gzip layers, every third one empty (ENV/CMD steps); returns ids root first. */
    public List<String> chain(String parent, int n, int layerSize) {
        List<String> ids = new ArrayList<>();
        String p = parent;
        for (int i = 0; i < n; i++) {
            Push push = image().parent(p).cmd("/bin/sh -c step " + i);
            if (i % 3 != 2) {
                push.tar(layerTar(layerSize));
            }
            p = push.push();
            ids.add(p);
        }
        return ids;
    }

    /** {@code repositories/<ns>/<repo>/tag_<tag>} holding the bare id, and the registry's tag metadata. */
    public void tag(String namespaceDir, String repositoryDir, String tagFileName, String id) {
        String dir = "/repositories/" + namespaceDir + "/" + repositoryDir;
        put(dir + "/tag_" + tagFileName, id.getBytes(StandardCharsets.US_ASCII));
        put(dir + "/tag" + tagFileName + "_json",
                "{\"last_update\": 1432352404, \"docker_version\": \"1.6.2\", \"arch\": \"amd64\", \"os\": \"linux\"}"
                        .getBytes(StandardCharsets.UTF_8));
    }

    public void put(String path, byte[] content) {
        try {
            driver.putContent(path, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void delete(String path) {
        try {
            driver.delete(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] compress(byte[] tar, Stored how) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            switch (how) {
                case GZIP -> {
                    // tarsum flushed the gzip writer after every write: sync-flush blocks throughout
                    try (GZIPOutputStream gz = new GZIPOutputStream(out, 4096, true)) {
                        for (int off = 0; off < tar.length; off += 512) {
                            gz.write(tar, off, Math.min(512, tar.length - off));
                            gz.flush();
                        }
                    }
                }
                case XZ -> {
                    try (XZOutputStream xz = new XZOutputStream(out, new LZMA2Options(1))) {
                        xz.write(tar);
                    }
                }
                case BZIP2 -> {
                    try (BZip2CompressorOutputStream bz = new BZip2CompressorOutputStream(out)) {
                        bz.write(tar);
                    }
                }
                case TAR -> out.writeBytes(tar);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tarsum docker's client and the registry computed over the tar pushed (spec §5). */
    public static String tarsum(byte[] tar, TarSum.Version version, byte[] json) {
        try {
            return TarSum.of(new java.io.ByteArrayInputStream(tar), version, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Python 2's json.dumps of a list of strings: {@code ["a", "b"]}. */
    static byte[] pythonList(List<String> items) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) {
            b.append(i == 0 ? "" : ", ").append('"').append(items.get(i)).append('"');
        }
        return b.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    public static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
