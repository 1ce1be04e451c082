package io.berth.migrate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.reference.RepositoryName;
import io.berth.core.reference.Tag;
import io.berth.core.registry.Registry;
import io.berth.core.registry.Repository;
import io.berth.core.storage.StorageDriver;
import io.berth.migrate.v1.V1Fixtures;
import io.berth.migrate.v1.V1StoreBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/** Checks a migrated destination against what the V1 generator pushed. */
public final class MigratedImages {
    static final ObjectMapper JSON = new ObjectMapper();
    public static final String EMPTY_TAR_GZIP = "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4";

    private MigratedImages() {
    }

    /**
     * The tag resolves to a manifest of {@code manifestType} whose layers are the chain root
     * first: gzip V1 layers byte for byte, others gunzipping to the V1 tar; the config's
     * diff_ids are the sha256 of each tar; one history entry per V1 image; everything linked.
     * Returns the manifest digest.
     */
    public static Digest assertMigrated(StorageDriver dest, V1StoreBuilder v1, V1Fixtures.Expected e, String manifestType)
            throws IOException {
        Registry reg = new Registry(dest);
        Repository repo = reg.repository(RepositoryName.of(e.repository()));
        Digest md = repo.tags().resolve(Tag.of(e.tag())).orElseThrow(() -> new AssertionError("no tag " + e.repository() + ":" + e.tag()));
        byte[] manifestBytes = reg.blobs().get(md);
        assertEquals(md, Digest.sha256(manifestBytes));
        assertTrue(repo.manifests().exists(md), "revision link of " + md);
        JsonNode m = JSON.readTree(manifestBytes);
        assertEquals(manifestType, m.path("mediaType").asText());
        Digest configDigest = Digest.parse(m.path("config").path("digest").asText());
        assertTrue(repo.statBlob(configDigest).isPresent(), "config linked in " + e.repository());
        byte[] configBytes = reg.blobs().get(configDigest);
        assertEquals(configDigest, Digest.sha256(configBytes));
        JsonNode config = JSON.readTree(configBytes);
        JsonNode layers = m.path("layers");
        assertEquals(e.chain().size(), layers.size(), "layers of " + e.repository() + ":" + e.tag());
        List<String> diffIds = new ArrayList<>();
        config.path("rootfs").path("diff_ids").forEach(d -> diffIds.add(d.asText()));
        assertEquals(e.chain().size(), diffIds.size());
        assertEquals(e.chain().size(), config.path("history").size(), "one history entry per V1 image");
        for (int i = 0; i < e.chain().size(); i++) {
            V1StoreBuilder.Image img = v1.image(e.chain().get(i));
            Digest ld = Digest.parse(layers.get(i).path("digest").asText());
            assertTrue(repo.statBlob(ld).isPresent(), "layer " + ld + " linked in " + e.repository());
            byte[] blob = reg.blobs().get(ld);
            assertEquals(ld, Digest.sha256(blob), "blob content hashes to its digest");
            assertEquals(blob.length, layers.get(i).path("size").asLong());
            if (img.storedAs() == V1StoreBuilder.Stored.GZIP) {
                assertArrayEquals(img.stored(), blob, "gzip V1 layer reused byte for byte");
            } else {
                assertArrayEquals(img.tar(), gunzip(blob), "recompressed layer gunzips to the V1 tar");
                if (java.util.Arrays.equals(img.tar(), new byte[1024])) {
                    assertEquals(EMPTY_TAR_GZIP, ld.toString(), "an empty tar becomes the canonical empty blob");
                }
            }
            assertEquals("sha256:" + img.diffId(), diffIds.get(i), "diff_id = sha256 of the decompressed layer");
            assertEquals("sha256:" + V1StoreBuilder.sha256(gunzip(blob)), diffIds.get(i));
        }
        assertTrue(List.of("amd64").contains(config.path("architecture").asText()));
        assertEquals("linux", config.path("os").asText());
        assertTrue(config.path("id").isMissingNode() && config.path("parent").isMissingNode() && config.path("Size").isMissingNode());
        return md;
    }

    public static byte[] gunzip(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    /** Every file of the destination's V2 tree, path → content, for comparing whole stores. */
    public static Map<String, String> tree(StorageDriver d) throws IOException {
        Map<String, String> out = new TreeMap<>();
        d.walk(PathLayout.ROOT, info -> {
            if (!info.isDirectory()) {
                out.put(info.path(), Digest.sha256(d.getContent(info.path())).toString());
            }
            return io.berth.core.storage.WalkVisitor.Result.CONTINUE;
        });
        return out;
    }

    /** Every file with its modification time, to prove a re-run touched nothing. */
    public static Map<String, String> treeWithTimes(StorageDriver d) throws IOException {
        Map<String, String> out = new TreeMap<>();
        d.walk(PathLayout.ROOT, info -> {
            out.put(info.path(), info.isDirectory() ? "dir" : info.size() + "@" + info.modTime());
            return io.berth.core.storage.WalkVisitor.Result.CONTINUE;
        });
        return out;
    }
}
