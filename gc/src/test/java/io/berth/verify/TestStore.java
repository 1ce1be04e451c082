package io.berth.verify;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.manifest.MediaTypes;
import io.berth.core.reference.Reference;
import io.berth.core.reference.RepositoryName;
import io.berth.core.registry.Registry;
import io.berth.core.registry.Repository;
import io.berth.core.storage.StorageDriver;
import io.berth.storage.filesystem.FilesystemDriver;
import io.berth.storage.inmemory.InMemoryDriver;
import io.berth.storage.s3.S3Driver;
import io.berth.storage.s3.S3TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A real store on a real driver (filesystem, S3Mock, in-memory), filled through Berth's own
 * registry code, so every file is where distribution would put it; faults are then injected
 * with the driver directly.
 */
final class TestStore implements AutoCloseable {
    record Image(Digest manifest, Digest config, List<Digest> layers, long[] layerSizes) {
    }

    final String kind;
    final StorageDriver driver;
    final Registry registry;

    private TestStore(String kind, StorageDriver driver) {
        this.kind = kind;
        this.driver = driver;
        this.registry = new Registry(driver);
    }

    static TestStore open(String kind, Path tmp) throws Exception {
        switch (kind) {
            case "filesystem":
                return new TestStore(kind, new FilesystemDriver(tmp.resolve("store")));
            case "inmemory":
                return new TestStore(kind, new InMemoryDriver());
            case "s3": {
                S3TestServer s3 = S3TestServer.shared(S3TestServer.Kind.S3MOCK);
                return new TestStore(kind, S3Driver.fromParameters(s3.driverParameters(s3.createBucket(), "/registry")));
            }
            default:
                throw new IllegalArgumentException(kind);
        }
    }

    /** Any other driver (a wrapper that injects events into a run). */
    static TestStore wrap(StorageDriver driver) {
        return new TestStore(driver.name(), driver);
    }

    Repository repo(String name) {
        return registry.repository(RepositoryName.of(name));
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    Digest blob(Repository repo, byte[] content) throws IOException {
        Digest d = Digest.sha256(content);
        registry.blobs().putVerified(d, content);
        repo.linkBlob(d);
        return d;
    }

    /** An OCI image with a config and the given layers, pushed as a client would (blobs linked first). */
    Image image(Repository repo, String seed, String tag, byte[]... layers) throws IOException {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":\"" + seed + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        Digest c = blob(repo, config);
        List<Digest> ls = new ArrayList<>();
        long[] sizes = new long[layers.length];
        StringBuilder body = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"config\":" + desc(MediaTypes.OCI_CONFIG, c, config.length) + ",\"layers\":[");
        for (int i = 0; i < layers.length; i++) {
            Digest l = blob(repo, layers[i]);
            ls.add(l);
            sizes[i] = layers[i].length;
            body.append(i == 0 ? "" : ",").append(desc(MediaTypes.OCI_LAYER_GZIP, l, layers[i].length));
        }
        body.append("]}");
        Digest m = putManifest(repo, body.toString(), MediaTypes.OCI_MANIFEST, tag);
        return new Image(m, c, ls, sizes);
    }

    Digest index(Repository repo, String tag, Image... images) throws IOException {
        StringBuilder body = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX
                + "\",\"manifests\":[");
        for (int i = 0; i < images.length; i++) {
            byte[] m = registry.blobs().get(images[i].manifest());
            body.append(i == 0 ? "" : ",").append(desc(MediaTypes.OCI_MANIFEST, images[i].manifest(), m.length));
        }
        body.append("]}");
        return putManifest(repo, body.toString(), MediaTypes.OCI_INDEX, tag);
    }

    private Digest putManifest(Repository repo, String body, String mediaType, String tag) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(bytes);
        repo.manifests().put(bytes, mediaType, Reference.parse(tag == null ? d.toString() : tag), List.of());
        return d;
    }

    static String desc(String mediaType, Digest d, long size) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + d + "\",\"size\":" + size + "}";
    }

    /** Writes a manifest revision behind the registry's back (no reference checks), tagged if {@code tag} is given. */
    Digest rawRevision(RepositoryName repo, byte[] bytes, String tag) throws IOException {
        Digest d = Digest.sha256(bytes);
        driver.putContent(PathLayout.blobData(d), bytes);
        driver.putContent(PathLayout.revisionLink(repo, d), PathLayout.linkContent(d));
        if (tag != null) {
            io.berth.core.reference.Tag t = io.berth.core.reference.Tag.of(tag);
            driver.putContent(PathLayout.tagCurrentLink(repo, t), PathLayout.linkContent(d));
            driver.putContent(PathLayout.tagIndexLink(repo, t, d), PathLayout.linkContent(d));
        }
        return d;
    }

    VerifyReport verify(VerifyOptions o) throws IOException {
        return Verifier.run(driver, kind, o);
    }

    @Override
    public void close() throws IOException {
        driver.close();
    }
}
