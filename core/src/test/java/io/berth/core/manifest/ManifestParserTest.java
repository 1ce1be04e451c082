package io.berth.core.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.digest.Digest;
import io.berth.core.digest.DigestAlgorithm;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ManifestParserTest {
    static final Digest CONFIG = Digest.sha256("config".getBytes(StandardCharsets.UTF_8));
    static final Digest LAYER1 = Digest.sha256("layer1".getBytes(StandardCharsets.UTF_8));
    static final Digest LAYER2 = Digest.sha256("layer2".getBytes(StandardCharsets.UTF_8));
    static final Digest CHILD1 = Digest.sha256("child1".getBytes(StandardCharsets.UTF_8));
    static final Digest CHILD2 = Digest.sha256("child2".getBytes(StandardCharsets.UTF_8));
    static final Digest SUBJECT = Digest.sha256("subject".getBytes(StandardCharsets.UTF_8));
    static final Digest EMPTY_JSON = Digest.sha256("{}".getBytes(StandardCharsets.UTF_8));

    static String desc(String mediaType, Digest d, long size) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + d + "\",\"size\":" + size + "}";
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String ociManifest(boolean withMediaType) {
        return "{\"schemaVersion\":2,"
                + (withMediaType ? "\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\"," : "")
                + "\"config\":" + desc(MediaTypes.OCI_CONFIG, CONFIG, 100) + ","
                + "\"layers\":[" + desc(MediaTypes.OCI_LAYER_GZIP, LAYER1, 1000) + ","
                + desc(MediaTypes.OCI_LAYER_GZIP, LAYER2, 2000) + "],"
                + "\"annotations\":{\"org.opencontainers.image.created\":\"2024-01-01T00:00:00Z\"}}";
    }

    static String ociIndex(boolean withMediaType) {
        return "{\"schemaVersion\":2,"
                + (withMediaType ? "\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\"," : "")
                + "\"manifests\":["
                + "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + CHILD1 + "\",\"size\":500,"
                + "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
                + "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + CHILD2 + "\",\"size\":501,"
                + "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"},"
                + "\"annotations\":{\"k\":\"v\"}}]}";
    }

    // ---- accepted shapes ----

    @Test
    void ociManifest() throws Exception {
        byte[] b = bytes(ociManifest(true));
        Manifest m = ManifestParser.parse(b, MediaTypes.OCI_MANIFEST);
        ImageManifest im = assertInstanceOf(ImageManifest.class, m);
        assertEquals(MediaTypes.OCI_MANIFEST, im.mediaType());
        assertEquals(Digest.sha256(b), im.digest());
        assertArrayEquals(b, im.bytes());
        assertEquals(new Descriptor(MediaTypes.OCI_CONFIG, CONFIG, 100), im.config());
        assertEquals(List.of(new Descriptor(MediaTypes.OCI_LAYER_GZIP, LAYER1, 1000),
                new Descriptor(MediaTypes.OCI_LAYER_GZIP, LAYER2, 2000)), im.layers());
        assertEquals(List.of(CONFIG, LAYER1, LAYER2), im.blobReferences().stream().map(Descriptor::digest).toList());
        assertEquals(List.of(), im.manifestReferences());
        assertEquals(Optional.empty(), im.subject());
        assertEquals(Optional.of(MediaTypes.OCI_CONFIG), im.artifactType(), "falls back to the config media type");
        assertEquals(Map.of("org.opencontainers.image.created", "2024-01-01T00:00:00Z"), im.annotations());
        assertFalse(im.layers().get(0).isForeign());
    }

    @Test
    void ociManifestWithoutLayersIsAccepted() throws Exception {
        String s = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                + desc(MediaTypes.OCI_EMPTY, EMPTY_JSON, 2) + "}";
        ImageManifest im = assertInstanceOf(ImageManifest.class, ManifestParser.parse(bytes(s), null));
        assertEquals(List.of(), im.layers());
        assertEquals(1, im.blobReferences().size());
    }

    @Test
    void ociIndex() throws Exception {
        byte[] b = bytes(ociIndex(true));
        ImageIndex ix = assertInstanceOf(ImageIndex.class, ManifestParser.parse(b, MediaTypes.OCI_INDEX));
        assertEquals(MediaTypes.OCI_INDEX, ix.mediaType());
        assertEquals(Digest.sha256(b), ix.digest());
        assertEquals(List.of(CHILD1, CHILD2), ix.manifestReferences().stream().map(Descriptor::digest).toList());
        assertEquals(List.of(), ix.blobReferences());
        assertEquals(new Descriptor.Platform("amd64", "linux", null), ix.manifests().get(0).platform());
        assertEquals(new Descriptor.Platform("arm64", "linux", "v8"), ix.manifests().get(1).platform());
        assertEquals(Map.of("k", "v"), ix.manifests().get(1).annotations());
        assertEquals(Optional.empty(), ix.artifactType());
        assertEquals(Optional.empty(), ix.subject());
        assertEquals(Map.of(), ix.annotations());
    }

    @Test
    void dockerSchema2() throws Exception {
        String s = "{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"" + MediaTypes.DOCKER_MANIFEST + "\",\n"
                + "   \"config\": " + desc(MediaTypes.DOCKER_CONFIG, CONFIG, 1469) + ",\n"
                + "   \"layers\": [\n      " + desc(MediaTypes.DOCKER_LAYER_GZIP, LAYER1, 2811969) + "\n   ]\n}";
        byte[] b = bytes(s);
        ImageManifest im = assertInstanceOf(ImageManifest.class, ManifestParser.parse(b, MediaTypes.DOCKER_MANIFEST));
        assertEquals(MediaTypes.DOCKER_MANIFEST, im.mediaType());
        assertEquals(Digest.sha256(b), im.digest());
        assertEquals(MediaTypes.DOCKER_CONFIG, im.config().mediaType());
        assertEquals(2811969, im.layers().get(0).size());
        assertEquals(Optional.of(MediaTypes.DOCKER_CONFIG), im.artifactType());
    }

    @Test
    void dockerSchema2WithoutContentTypeUsesField() throws Exception {
        String s = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"config\":"
                + desc(MediaTypes.DOCKER_CONFIG, CONFIG, 1) + ",\"layers\":[]}";
        assertEquals(MediaTypes.DOCKER_MANIFEST, ManifestParser.parse(bytes(s), null).mediaType());
    }

    @Test
    void dockerManifestList() throws Exception {
        String s = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST_LIST + "\",\"manifests\":["
                + "{\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"size\":7143,\"digest\":\"" + CHILD1
                + "\",\"platform\":{\"architecture\":\"ppc64le\",\"os\":\"linux\"}}]}";
        ImageIndex ix = assertInstanceOf(ImageIndex.class,
                ManifestParser.parse(bytes(s), MediaTypes.DOCKER_MANIFEST_LIST));
        assertEquals(MediaTypes.DOCKER_MANIFEST_LIST, ix.mediaType());
        assertEquals(List.of(CHILD1), ix.manifestReferences().stream().map(Descriptor::digest).toList());
        assertEquals("ppc64le", ix.manifests().get(0).platform().architecture());
    }

    static String schema1(boolean signed) {
        return "{\n   \"schemaVersion\": 1,\n   \"name\": \"library/hello\",\n   \"tag\": \"latest\",\n"
                + "   \"architecture\": \"amd64\",\n   \"fsLayers\": [\n"
                + "      {\"blobSum\": \"" + LAYER1 + "\"},\n"
                + "      {\"blobSum\": \"" + LAYER2 + "\"},\n"
                + "      {\"blobSum\": \"" + LAYER1 + "\"}\n   ],\n"
                + "   \"history\": [{\"v1Compatibility\": \"{\\\"id\\\":\\\"x\\\"}\"}]"
                + (signed ? ",\n   \"signatures\": [{\"header\": {\"jwk\": {\"crv\": \"P-256\", \"kty\": \"EC\"},"
                        + " \"alg\": \"ES256\"}, \"signature\": \"c2ln\", \"protected\": \"cHJvdA\"}]" : "")
                + "\n}";
    }

    @Test
    void schema1Unsigned() throws Exception {
        byte[] b = bytes(schema1(false));
        Schema1Manifest m = assertInstanceOf(Schema1Manifest.class, ManifestParser.parse(b, null));
        assertEquals(MediaTypes.DOCKER_SCHEMA1, m.mediaType());
        assertEquals("library/hello", m.name());
        assertEquals("latest", m.tag());
        assertEquals(List.of(LAYER1, LAYER2, LAYER1), m.fsLayers());
        assertEquals(List.of(LAYER1, LAYER2), m.blobReferences().stream().map(Descriptor::digest).toList(),
                "duplicate blob sums are referenced once");
        assertTrue(m.blobReferences().stream().allMatch(d -> d.size() == -1));
        assertEquals(Digest.sha256(b), m.digest());
        assertArrayEquals(b, m.bytes());
    }

    @Test
    void schema1Signed() throws Exception {
        byte[] b = bytes(schema1(true));
        Manifest m = ManifestParser.parse(b, MediaTypes.DOCKER_SCHEMA1_SIGNED);
        assertInstanceOf(Schema1Manifest.class, m);
        assertEquals(MediaTypes.DOCKER_SCHEMA1_SIGNED, m.mediaType());
        assertEquals(Digest.sha256(b), m.digest(), "the digest covers the signed bytes as they are");
        assertEquals(MediaTypes.DOCKER_SCHEMA1_SIGNED, ManifestParser.parse(b, null).mediaType());
    }

    @Test
    void schema1Rejects() {
        assertThrows(ManifestInvalidException.class,
                () -> ManifestParser.parse(bytes("{\"schemaVersion\":1,\"name\":\"x\"}"), null));
        assertThrows(ManifestInvalidException.class,
                () -> ManifestParser.parse(bytes("{\"schemaVersion\":1,\"fsLayers\":{}}"), null));
        assertThrows(ManifestInvalidException.class, () -> ManifestParser.parse(
                bytes("{\"schemaVersion\":1,\"fsLayers\":[{\"blobSum\":\"sha256:abc\"}]}"), null));
        assertThrows(ManifestInvalidException.class, () -> ManifestParser.parse(
                bytes("{\"schemaVersion\":1,\"fsLayers\":[{}]}"), null));
    }

    @Test
    void artifactManifestWithSubjectAndArtifactType() throws Exception {
        String s = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                + "\"artifactType\":\"application/vnd.example.sbom.v1+json\","
                + "\"config\":" + desc(MediaTypes.OCI_EMPTY, EMPTY_JSON, 2) + ","
                + "\"layers\":[" + desc("application/spdx+json", LAYER1, 10) + "],"
                + "\"subject\":" + desc(MediaTypes.OCI_MANIFEST, SUBJECT, 1234) + ","
                + "\"annotations\":{\"org.opencontainers.image.created\":\"2024\"}}";
        ImageManifest im = assertInstanceOf(ImageManifest.class, ManifestParser.parse(bytes(s), MediaTypes.OCI_MANIFEST));
        assertEquals(Optional.of("application/vnd.example.sbom.v1+json"), im.artifactType());
        assertEquals("application/vnd.example.sbom.v1+json", im.declaredArtifactType());
        assertEquals(Optional.of(new Descriptor(MediaTypes.OCI_MANIFEST, SUBJECT, 1234)), im.subject());
        assertEquals(Map.of("org.opencontainers.image.created", "2024"), im.annotations());
    }

    @Test
    void artifactTypeFallsBackToConfigMediaType() throws Exception {
        String s = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                + "\"config\":" + desc("application/vnd.example.config.v1+json", CONFIG, 7) + ","
                + "\"layers\":[],\"subject\":" + desc(MediaTypes.OCI_MANIFEST, SUBJECT, 1) + "}";
        Manifest m = ManifestParser.parse(bytes(s), null);
        assertEquals(Optional.of("application/vnd.example.config.v1+json"), m.artifactType());
        assertEquals(SUBJECT, m.subject().orElseThrow().digest());
    }

    @Test
    void indexWithSubjectAndArtifactType() throws Exception {
        String s = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\","
                + "\"artifactType\":\"application/vnd.example.bundle\","
                + "\"manifests\":[" + desc(MediaTypes.OCI_MANIFEST, CHILD1, 3) + "],"
                + "\"subject\":" + desc(MediaTypes.OCI_MANIFEST, SUBJECT, 9) + ","
                + "\"annotations\":{\"a\":\"b\"}}";
        ImageIndex ix = assertInstanceOf(ImageIndex.class, ManifestParser.parse(bytes(s), null));
        assertEquals(Optional.of("application/vnd.example.bundle"), ix.artifactType());
        assertEquals(SUBJECT, ix.subject().orElseThrow().digest());
        assertEquals(Map.of("a", "b"), ix.annotations());
    }

    @Test
    void nullSubjectIsNoSubject() throws Exception {
        String s = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                + desc(MediaTypes.OCI_CONFIG, CONFIG, 1) + ",\"layers\":[],\"subject\":null}";
        assertEquals(Optional.empty(), ManifestParser.parse(bytes(s), null).subject());
    }

    @Test
    void foreignLayersKeepUrls() throws Exception {
        String foreign = "{\"mediaType\":\"" + MediaTypes.DOCKER_FOREIGN_LAYER + "\",\"size\":1428,\"digest\":\""
                + LAYER2 + "\",\"urls\":[\"https://mcr.microsoft.com/v2/windows/blobs/" + LAYER2
                + "\",\"https://mirror.example/" + LAYER2 + "\"]}";
        String s = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\","
                + "\"config\":" + desc(MediaTypes.DOCKER_CONFIG, CONFIG, 1) + ","
                + "\"layers\":[" + foreign + "," + desc(MediaTypes.DOCKER_LAYER_GZIP, LAYER1, 5) + "]}";
        ImageManifest im = assertInstanceOf(ImageManifest.class, ManifestParser.parse(bytes(s), MediaTypes.DOCKER_MANIFEST));
        Descriptor f = im.layers().get(0);
        assertTrue(f.isForeign());
        assertEquals(MediaTypes.DOCKER_FOREIGN_LAYER, f.mediaType());
        assertEquals(List.of("https://mcr.microsoft.com/v2/windows/blobs/" + LAYER2, "https://mirror.example/" + LAYER2),
                f.urls());
        assertFalse(im.layers().get(1).isForeign());
    }

    @Test
    void bytesAreKeptExactly() throws Exception {
        String s = "\n\t {  \"schemaVersion\" :2 ,\r\n\"mediaType\"\t:\t\"" + MediaTypes.OCI_MANIFEST + "\",\n"
                + "  \"config\":   {\"size\":  100, \"digest\":\"" + CONFIG + "\", \"mediaType\":\""
                + MediaTypes.OCI_CONFIG + "\", \"extra\": [1, 2.50, {\"x\": null}]},\n"
                + "\"layers\": [ ], \"zz\": \"\\u00e9\\u002F\" , \"n\": 1.0e0 }   \n\n";
        byte[] b = bytes(s);
        Manifest m = ManifestParser.parse(b, MediaTypes.OCI_MANIFEST + "; charset=utf-8");
        assertArrayEquals(b, m.bytes());
        assertEquals(Digest.sha256(b), m.digest());
        assertEquals("sha256:" + Digest.sha256(b).hex(), m.digest().toString());
    }

    @Test
    void digestWithOtherAlgorithmOrGiven() throws Exception {
        byte[] b = bytes(ociManifest(true));
        assertEquals(Digest.of(DigestAlgorithm.SHA512, b),
                ManifestParser.parse(b, null, DigestAlgorithm.SHA512).digest());
        Digest given = Digest.of(DigestAlgorithm.SHA512, b);
        assertEquals(given, ManifestParser.parse(b, null, given).digest());
    }

    @Test
    void noMediaTypeUsesContentType() throws Exception {
        byte[] image = bytes(ociManifest(false));
        assertEquals(MediaTypes.OCI_MANIFEST, ManifestParser.parse(image, MediaTypes.OCI_MANIFEST).mediaType());
        assertEquals(MediaTypes.DOCKER_MANIFEST, ManifestParser.parse(image, MediaTypes.DOCKER_MANIFEST).mediaType());
        assertEquals(MediaTypes.DOCKER_MANIFEST,
                ManifestParser.parse(image, "Application/VND.docker.distribution.manifest.v2+json; x=y").mediaType());
        byte[] index = bytes(ociIndex(false));
        assertEquals(MediaTypes.OCI_INDEX, ManifestParser.parse(index, MediaTypes.OCI_INDEX).mediaType());
        assertEquals(MediaTypes.DOCKER_MANIFEST_LIST,
                ManifestParser.parse(index, MediaTypes.DOCKER_MANIFEST_LIST).mediaType());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "application/json", "application/octet-stream", "text/plain", "text/plain; charset=utf-8"})
    void noMediaTypeAndGenericContentTypeGuessesFromShape(String contentType) throws Exception {
        assertInstanceOf(ImageManifest.class, ManifestParser.parse(bytes(ociManifest(false)), contentType));
        assertEquals(MediaTypes.OCI_MANIFEST, ManifestParser.parse(bytes(ociManifest(false)), contentType).mediaType());
        assertInstanceOf(ImageIndex.class, ManifestParser.parse(bytes(ociIndex(false)), contentType));
        assertEquals(MediaTypes.OCI_INDEX, ManifestParser.parse(bytes(ociIndex(false)), contentType).mediaType());
    }

    @Test
    void noMediaTypeAndNoContentTypeGuessesFromShape() throws Exception {
        assertEquals(MediaTypes.OCI_MANIFEST, ManifestParser.parse(bytes(ociManifest(false)), null).mediaType());
        assertEquals(MediaTypes.OCI_INDEX, ManifestParser.parse(bytes(ociIndex(false)), null).mediaType());
    }

    @Test
    void fieldWinsOverGenericContentType() throws Exception {
        assertEquals(MediaTypes.OCI_INDEX, ManifestParser.parse(bytes(ociIndex(true)), "application/json").mediaType());
    }

    // ---- rejected ----

    static void rejects(String body, String contentType) {
        assertThrows(ManifestInvalidException.class, () -> ManifestParser.parse(bytes(body), contentType), body);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "not json", "{", "{\"schemaVersion\":2", "[1,2]", "[]", "\"string\"", "42",
        "null", "true", "{\"schemaVersion\":2,}", "{'schemaVersion':2}"})
    void rejectsNonObjects(String body) {
        rejects(body, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{},\"layers\":[]}",
        "{\"schemaVersion\":3,\"config\":{},\"layers\":[]}",
        "{\"schemaVersion\":0}",
        "{\"schemaVersion\":\"2\"}",
        "{\"schemaVersion\":2.0}",
        "{\"schemaVersion\":null}",
    })
    void rejectsBadSchemaVersion(String body) {
        rejects(body, null);
    }

    @Test
    void rejectsSchemaVersion3WithValidBody() {
        String s = ociManifest(true).replace("\"schemaVersion\":2", "\"schemaVersion\":3");
        rejects(s, MediaTypes.OCI_MANIFEST);
    }

    @Test
    void rejectsMediaTypeContradictingContentType() {
        rejects(ociManifest(true), MediaTypes.DOCKER_MANIFEST);
        rejects(ociManifest(true), MediaTypes.OCI_INDEX);
        rejects(ociIndex(true), MediaTypes.DOCKER_MANIFEST_LIST);
    }

    @Test
    void rejectsUnknownMediaType() {
        String field = ociManifest(false).replace("{\"schemaVersion\":2,",
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.example.unknown+json\",");
        rejects(field, null);
        rejects(field, "application/vnd.example.unknown+json");
        rejects(ociManifest(false), "application/vnd.example.unknown+json");
        rejects(ociManifest(false), MediaTypes.OCI_CONFIG);
        // a v2 body claiming the schema1 type
        rejects(ociManifest(false), MediaTypes.DOCKER_SCHEMA1);
    }

    @Test
    void rejectsShapeMismatch() {
        // image manifest type with an index body, and the other way round
        rejects(ociIndex(false), MediaTypes.OCI_MANIFEST);
        rejects(ociManifest(false), MediaTypes.OCI_INDEX);
        // an image manifest that also has manifests
        rejects(ociManifest(true).replace("\"layers\":", "\"manifests\":[],\"layers\":"), null);
        // an index that also has config
        rejects(ociIndex(true).replace("\"manifests\":",
                "\"config\":" + desc(MediaTypes.OCI_CONFIG, CONFIG, 1) + ",\"manifests\":"), null);
        rejects(ociIndex(true).replace("\"manifests\":", "\"layers\":[],\"manifests\":"), null);
        // docker schema2 without layers
        rejects("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"config\":"
                + desc(MediaTypes.DOCKER_CONFIG, CONFIG, 1) + "}", null);
        // manifest without config
        rejects("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"layers\":[]}", null);
        rejects("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":[],\"layers\":[]}", null);
        rejects("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                + desc(MediaTypes.OCI_CONFIG, CONFIG, 1) + ",\"layers\":{}}", null);
        rejects("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":{}}", null);
        rejects("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\"}", null);
    }

    static String manifestWithLayer(String layerJson) {
        return "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                + desc(MediaTypes.OCI_CONFIG, CONFIG, 1) + ",\"layers\":[" + layerJson + "]}";
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"DIGEST\",\"size\":-1}",
        "{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"size\":1}",
        "{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"sha256:abc\",\"size\":1}",
        "{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"blake3:abc\",\"size\":1}",
        "{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":42,\"size\":1}",
        "{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"DIGEST\"}",
        "{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"DIGEST\",\"size\":\"1\"}",
        "{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"DIGEST\",\"size\":1.5}",
        "{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"DIGEST\",\"size\":99999999999999999999}",
        "{\"digest\":\"DIGEST\",\"size\":1}",
        "{\"mediaType\":\"not a media type\",\"digest\":\"DIGEST\",\"size\":1}",
        "{\"mediaType\":7,\"digest\":\"DIGEST\",\"size\":1}",
        "\"DIGEST\"",
        "null",
    })
    void rejectsBadDescriptors(String layer) {
        rejects(manifestWithLayer(layer.replace("DIGEST", LAYER1.toString())), MediaTypes.OCI_MANIFEST);
    }

    @Test
    void acceptsZeroSizeDescriptor() throws Exception {
        Manifest m = ManifestParser.parse(bytes(manifestWithLayer(desc(MediaTypes.OCI_LAYER_GZIP, LAYER1, 0))), null);
        assertEquals(0, m.blobReferences().get(1).size());
    }

    @Test
    void rejectsBadConfigSubjectAndChildDescriptors() {
        rejects("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                + "{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + CONFIG + "\",\"size\":-5}"
                + ",\"layers\":[]}", null);
        rejects(ociManifest(true).replace("\"layers\":", "\"subject\":{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"size\":1},\"layers\":"), null);
        rejects(ociIndex(true).replace(CHILD1.toString(), "sha256:nothex"), null);
    }

    /** Go's decoder (distribution) refuses a number where the image spec has a string; so does Berth. */
    @Test
    void rejectsFieldsOfTheWrongJsonType() {
        String m = ociManifest(true);
        rejects(m.replace("\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\"", "\"mediaType\":5"), null);
        rejects(m.replace("{\"schemaVersion\":2,", "{\"schemaVersion\":2,\"artifactType\":5,"), null);
        rejects(m.replace("\"2024-01-01T00:00:00Z\"", "1"), null);
        rejects(m.replace("\"annotations\":{\"org.opencontainers.image.created\":\"2024-01-01T00:00:00Z\"}",
                "\"annotations\":[1]"), null);
        rejects(manifestWithLayer("{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"" + LAYER1
                + "\",\"size\":1,\"urls\":\"https://example.com/x\"}"), null);
        rejects(manifestWithLayer("{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"" + LAYER1
                + "\",\"size\":1,\"urls\":[7]}"), null);
        rejects(manifestWithLayer("{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"" + LAYER1
                + "\",\"size\":1,\"annotations\":{\"k\":true}}"), null);
        rejects(ociIndex(true).replace("\"os\":\"linux\"}}", "\"os\":7}}"), null);
        rejects(ociIndex(true).replace("\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}",
                "\"platform\":\"linux/amd64\""), null);
        // JSON null where a string or map may be absent is absent, as in Go
        assertDoesNotThrow(() -> ManifestParser.parse(bytes(m.replace("{\"schemaVersion\":2,",
                "{\"schemaVersion\":2,\"artifactType\":null,")), null));
    }

    @Test
    void rejectsDuplicateKeys() {
        rejects(ociManifest(true).replace("{\"schemaVersion\":2,", "{\"schemaVersion\":2,\"schemaVersion\":2,"), null);
        rejects(ociManifest(true).replace("\"layers\":", "\"config\":" + desc(MediaTypes.OCI_CONFIG, LAYER2, 5)
                + ",\"layers\":"), null);
        // nested duplicate
        rejects(manifestWithLayer("{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"" + LAYER1
                + "\",\"digest\":\"" + LAYER2 + "\",\"size\":1}"), null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "{}", "[]", "1", "\"s\"", "}", "null", " {\"a\":1}"})
    void rejectsTrailingGarbage(String tail) {
        rejects(ociManifest(true) + tail, MediaTypes.OCI_MANIFEST);
    }

    @Test
    void messagesSayWhatIsWrong() {
        ManifestInvalidException e = assertThrows(ManifestInvalidException.class, () -> ManifestParser.parse(
                bytes(manifestWithLayer(desc(MediaTypes.OCI_LAYER_GZIP, LAYER1, -1))), null));
        assertTrue(e.getMessage().contains("layers[0].size"), e.getMessage());
        e = assertThrows(ManifestInvalidException.class,
                () -> ManifestParser.parse(bytes(ociManifest(true)), MediaTypes.DOCKER_MANIFEST));
        assertTrue(e.getMessage().contains(MediaTypes.DOCKER_MANIFEST), e.getMessage());
    }

    @Test
    void descriptorHelperDefaults() {
        Descriptor d = new Descriptor(MediaTypes.OCI_CONFIG, CONFIG, 3);
        assertEquals(List.of(), d.urls());
        assertEquals(Map.of(), d.annotations());
        assertNull(d.artifactType());
        assertNull(d.platform());
        assertFalse(d.isForeign());
        Descriptor n = new Descriptor(MediaTypes.OCI_CONFIG, CONFIG, 3, null, null, "t", null);
        assertEquals(List.of(), n.urls());
        assertEquals(Map.of(), n.annotations());
        assertEquals("t", n.artifactType());
    }
}
