package io.berth.server.http;

import static io.berth.server.http.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** Content for the tests: blobs, their digests and hand-written manifests with exact bytes. */
final class Fixtures {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    private Fixtures() {
    }

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String sha256(byte[] b) {
        return digest("sha256", "SHA-256", b);
    }

    static String sha512(byte[] b) {
        return digest("sha512", "SHA-512", b);
    }

    private static String digest(String id, String jca, byte[] b) {
        try {
            return id + ":" + HexFormat.of().formatHex(MessageDigest.getInstance(jca).digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A blob pushed in a single POST ?digest=; returns its digest. */
    static String pushBlob(Api api, String repo, byte[] content) {
        String d = sha256(content);
        Api.Resp r = expect(201, api.post("/v2/" + repo + "/blobs/uploads/?digest=" + d, content,
                "Content-Type", "application/octet-stream"));
        assertEquals(d, r.header("Docker-Content-Digest"));
        return d;
    }

    static String descriptor(String mediaType, byte[] content) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + sha256(content) + "\",\"size\":"
                + content.length + "}";
    }

    static String descriptor(String mediaType, String digest, long size) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
    }

    /** An image pushed into a repository: config and one layer blob, and the manifest bytes. */
    record Image(byte[] config, byte[] layer, byte[] manifest, String mediaType) {
        String digest() {
            return sha256(manifest);
        }
    }

    /**
     * An OCI image manifest with deliberately odd whitespace and key order, so that any
     * re-serialisation by the server would change its bytes.
     */
    static Image ociImage(long seed) {
        byte[] config = utf8("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":" + seed + "}");
        byte[] layer = bytes(1000 + (int) (seed % 97), seed);
        String m = "{\n   \"schemaVersion\" :2,\t\"layers\": [ " + descriptor(OCI_LAYER, layer) + " ] ,\n"
                + "  \"mediaType\": \"" + OCI_MANIFEST + "\",\r\n \"config\":" + descriptor(OCI_CONFIG, config)
                + ",\"annotations\":{\"z\":\"1\",\"a\":\"\\u00e9\"}   }\n\n";
        return new Image(config, layer, utf8(m), OCI_MANIFEST);
    }

    static Image dockerImage(long seed) {
        byte[] config = utf8("{\"architecture\":\"arm64\",\"os\":\"linux\",\"docker\":" + seed + "}");
        byte[] layer = bytes(700 + (int) (seed % 31), seed * 31);
        String m = "{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"" + DOCKER_MANIFEST + "\",\n  \"config\": "
                + descriptor(DOCKER_CONFIG, config) + ",\n  \"layers\": [\n    " + descriptor(DOCKER_LAYER, layer)
                + "\n  ]\n}";
        return new Image(config, layer, utf8(m), DOCKER_MANIFEST);
    }

    /** Pushes an image's blobs (not the manifest). */
    static void pushBlobs(Api api, String repo, Image img) {
        pushBlob(api, repo, img.config());
        pushBlob(api, repo, img.layer());
    }

    /** Pushes blobs and the manifest under the reference; returns the manifest digest. */
    static String pushImage(Api api, String repo, String ref, Image img) {
        pushBlobs(api, repo, img);
        Api.Resp r = expect(201, api.put("/v2/" + repo + "/manifests/" + ref, img.manifest(),
                "Content-Type", img.mediaType()));
        assertEquals(img.digest(), r.header("Docker-Content-Digest"));
        return img.digest();
    }

    static byte[] index(String mediaType, String... childDescriptors) {
        return utf8("{\"schemaVersion\":2,\"mediaType\":\"" + mediaType + "\",\"manifests\":["
                + String.join(",", childDescriptors) + "]}");
    }

    static String platformDescriptor(String mediaType, byte[] manifest, String arch) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + sha256(manifest) + "\",\"size\":"
                + manifest.length + ",\"platform\":{\"architecture\":\"" + arch + "\",\"os\":\"linux\"}}";
    }

    /** The empty config of OCI artifacts, {@code {}}. */
    static final byte[] EMPTY_CONFIG = utf8("{}");

    /**
     * An artifact manifest referring to a subject. artifactType may be null (then the config's
     * media type is the one the referrers API reports).
     */
    static byte[] artifact(String subjectDigest, long subjectSize, String artifactType, String configMediaType,
                           byte[] layer, String annotationValue) {
        StringBuilder sb = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\"");
        if (artifactType != null) {
            sb.append(",\"artifactType\":\"").append(artifactType).append('"');
        }
        sb.append(",\"config\":").append(descriptor(configMediaType, EMPTY_CONFIG));
        sb.append(",\"layers\":[").append(descriptor("application/octet-stream", layer)).append(']');
        sb.append(",\"subject\":").append(descriptor(OCI_MANIFEST, subjectDigest, subjectSize));
        if (annotationValue != null) {
            sb.append(",\"annotations\":{\"org.example.note\":\"").append(annotationValue).append("\"}");
        }
        return utf8(sb.append('}').toString());
    }
}
