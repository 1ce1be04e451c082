package io.berth.migrate.copy;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.manifest.MediaTypes;
import io.berth.core.reference.Reference;
import io.berth.core.reference.RepositoryName;
import io.berth.core.registry.Registry;
import io.berth.core.registry.Repository;
import io.berth.core.storage.StorageDriver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A store with what a copy must carry over, pushed through Berth's own stores (so it is laid
 * out exactly as a registry lays it out): several repositories (one nested in another), blobs
 * shared across repositories, a multi-arch index, a referrer with a subject, several tags, a tag
 * moved (two index entries), a blob over 16 MiB (multipart on S3), and an upload in progress.
 */
final class SampleStore {
    static final RepositoryName ALPINE = RepositoryName.of("library/alpine");
    static final RepositoryName APP = RepositoryName.of("team/app");
    static final RepositoryName TOOLS = RepositoryName.of("team/app/tools");
    static final int BIG = 17 * 1024 * 1024 + 12345;

    final Registry registry;
    Digest alpineOld;
    Digest alpineNew;
    Digest sharedLayer;
    Digest index;
    Digest amd64;
    Digest arm64;
    Digest arm64Layer;
    Digest signature;
    Digest big;
    Digest bigLayer;
    Digest tools;

    private SampleStore(StorageDriver driver) {
        this.registry = new Registry(driver);
    }

    static SampleStore build(StorageDriver driver) throws IOException {
        SampleStore s = new SampleStore(driver);
        Repository alpine = s.registry.repository(ALPINE);
        Repository app = s.registry.repository(APP);
        Repository tools = s.registry.repository(TOOLS);

        s.sharedLayer = blob(alpine, random(300_000, 1));
        s.alpineOld = image(alpine, "3.18", List.of(s.sharedLayer), "3.18", null);
        s.alpineNew = image(alpine, "3.19", List.of(s.sharedLayer, blob(alpine, random(70_000, 2))), "3.19", null);
        tag(alpine, "latest", s.alpineOld);
        tag(alpine, "latest", s.alpineNew); // moved: index entries for both

        s.amd64 = image(app, "amd64", List.of(blob(app, random(200_000, 3))), null, null);
        s.arm64Layer = blob(app, random(210_000, 4));
        s.arm64 = image(app, "arm64", List.of(s.arm64Layer), null, null);
        s.index = put(app, "v1", "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + platform(s.registry, s.amd64, "amd64") + "," + platform(s.registry, s.arm64, "arm64") + "]}",
                MediaTypes.OCI_INDEX);
        tag(app, "stable", s.index);
        s.signature = image(app, "signature", List.of(blob(app, random(500, 5))), null, s.index);
        s.bigLayer = blob(app, random(BIG, 6));
        s.big = image(app, "big", List.of(s.bigLayer), "big", null);

        tools.linkBlob(s.sharedLayer); // mounted from library/alpine
        s.tools = image(tools, "tools", List.of(s.sharedLayer), "v1", null);
        app.uploads().start(); // an upload in progress: never copied
        return s;
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    static Digest blob(Repository repo, byte[] content) throws IOException {
        Digest d = Digest.sha256(content);
        repo.registry().blobs().putVerified(d, content);
        repo.linkBlob(d);
        return d;
    }

    static String desc(String mediaType, Digest d, long size) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + d + "\",\"size\":" + size + "}";
    }

    /** An OCI image (config + layers), optionally tagged, optionally a referrer of {@code subject}. */
    static Digest image(Repository repo, String seed, List<Digest> layers, String tag, Digest subject)
            throws IOException {
        byte[] cfg = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":\"" + seed + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        Digest c = blob(repo, cfg);
        StringBuilder body = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"config\":" + desc(MediaTypes.OCI_CONFIG, c, cfg.length) + ",\"layers\":[");
        for (int i = 0; i < layers.size(); i++) {
            long size = repo.registry().blobs().stat(layers.get(i)).orElseThrow().size();
            body.append(i == 0 ? "" : ",").append(desc(MediaTypes.OCI_LAYER_GZIP, layers.get(i), size));
        }
        body.append("]");
        if (subject != null) {
            long size = repo.registry().blobs().stat(subject).orElseThrow().size();
            body.append(",\"artifactType\":\"application/vnd.example.signature\",\"subject\":")
                    .append(desc(MediaTypes.OCI_INDEX, subject, size));
        }
        body.append("}");
        return put(repo, tag, body.toString(), MediaTypes.OCI_MANIFEST);
    }

    static Digest put(Repository repo, String tag, String body, String mediaType) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(bytes);
        repo.manifests().put(bytes, mediaType, Reference.parse(tag == null ? d.toString() : tag), List.of());
        return d;
    }

    static void tag(Repository repo, String tag, Digest d) throws IOException {
        repo.tags().tag(io.berth.core.reference.Tag.of(tag), d);
    }

    private static String platform(Registry reg, Digest d, String arch) throws IOException {
        long size = reg.blobs().stat(d).orElseThrow().size();
        return "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + d + "\",\"size\":" + size
                + ",\"platform\":{\"architecture\":\"" + arch + "\",\"os\":\"linux\"}}";
    }

    /** Every blob data file the store holds. */
    static int blobCount(StorageDriver driver) throws IOException {
        return Trees.of(driver).keySet().stream().filter(p -> p.startsWith(PathLayout.BLOBS)).toList().size();
    }
}
