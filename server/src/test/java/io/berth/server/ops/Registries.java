package io.berth.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.server.it.Http;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** Pushes over plain HTTP for the operations tests: blobs (whole or in chunks) and small OCI images. */
public final class Registries {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    private Registries() {
    }

    public record Image(String config, long configSize, String layer, long layerSize, byte[] manifest,
                        String digest) {
    }

    public static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    public static String sha256(byte[] b) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One POST with ?digest= (a monolithic upload); returns the response. */
    public static Http.Response pushBlob(String base, String repo, byte[] content) {
        Http.Response r = Http.post(base + "/v2/" + repo + "/blobs/uploads/?digest=" + sha256(content), content,
                "Content-Type", "application/octet-stream");
        assertEquals(201, r.status(), r.toString());
        return r;
    }

    /** POST, one PATCH, PUT ?digest=: the chunked flow clients use for layers. */
    public static String pushBlobChunked(String base, String repo, byte[] content) {
        Http.Response start = Http.post(base + "/v2/" + repo + "/blobs/uploads/", null);
        assertEquals(202, start.status(), start.toString());
        String loc = Http.resolve(base, start.header("Location"));
        Http.Response patch = Http.patch(loc, content, "Content-Type", "application/octet-stream");
        assertEquals(202, patch.status(), patch.toString());
        loc = Http.resolve(base, patch.header("Location"));
        String d = sha256(content);
        Http.Response put = Http.put(loc + (loc.contains("?") ? "&" : "?") + "digest=" + d, null);
        assertEquals(201, put.status(), put.toString());
        return d;
    }

    /** Config and layer blobs (the layer in chunks), then the manifest under {@code ref}. */
    public static Image pushImage(String base, String repo, String ref, long seed) {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":" + seed + "}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] layer = bytes(3000, seed);
        pushBlob(base, repo, config);
        pushBlobChunked(base, repo, layer);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + sha256(config) + "\",\"size\":"
                + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                + "\"digest\":\"" + sha256(layer) + "\",\"size\":" + layer.length + "}]}")
                .getBytes(StandardCharsets.UTF_8);
        Http.Response r = Http.put(base + "/v2/" + repo + "/manifests/" + ref, manifest, "Content-Type", OCI_MANIFEST);
        assertEquals(201, r.status(), r.toString());
        return new Image(sha256(config), config.length, sha256(layer), layer.length, manifest, sha256(manifest));
    }
}
