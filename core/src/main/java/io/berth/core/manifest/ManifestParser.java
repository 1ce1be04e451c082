package io.berth.core.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.berth.core.digest.Digest;
import io.berth.core.digest.DigestAlgorithm;
import io.berth.core.digest.InvalidDigestException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses manifest bytes into a {@link Manifest} without ever re-serialising them. The media type
 * comes from the body's {@code mediaType} field, else from the Content-Type it was sent with,
 * else from its shape; a body whose field contradicts its Content-Type is invalid.
 */
public final class ManifestParser {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ManifestParser() {
    }

    public static ObjectMapper json() {
        return JSON;
    }

    public static Manifest parse(byte[] bytes, String contentType) throws ManifestInvalidException {
        return parse(bytes, contentType, Digest.sha256(bytes));
    }

    public static Manifest parse(byte[] bytes, String contentType, DigestAlgorithm algorithm)
            throws ManifestInvalidException {
        return parse(bytes, contentType, Digest.of(algorithm, bytes));
    }

    /** @param contentType the type it was pushed or stored with; may be null. */
    public static Manifest parse(byte[] bytes, String contentType, Digest digest) throws ManifestInvalidException {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new ManifestInvalidException("manifest is not valid JSON: " + why);
        }
        if (root == null || !root.isObject()) {
            throw new ManifestInvalidException("manifest is not a JSON object");
        }
        String declared = MediaTypes.base(contentType);
        if (declared != null && (declared.isEmpty() || declared.equals("application/octet-stream")
                || declared.equals("application/json") || declared.equals("text/plain"))) {
            declared = null;
        }
        JsonNode sv = root.get("schemaVersion");
        if (sv == null || !sv.isInt()) {
            throw new ManifestInvalidException("schemaVersion missing or not an integer");
        }
        if (sv.intValue() == 1) {
            return parseSchema1(root, bytes, digest);
        }
        if (sv.intValue() != 2) {
            throw new ManifestInvalidException("unsupported schemaVersion " + sv.intValue());
        }
        String field = text(root, "mediaType");
        if (field != null && declared != null && !field.equals(declared)) {
            throw new ManifestInvalidException(
                    "mediaType \"" + field + "\" does not match Content-Type \"" + declared + "\"");
        }
        String mediaType = field != null ? field : declared;
        if (mediaType == null) {
            mediaType = root.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
        }
        if (MediaTypes.IMAGE_MANIFESTS.contains(mediaType)) {
            return parseImage(root, bytes, digest, mediaType);
        }
        if (MediaTypes.INDEXES.contains(mediaType)) {
            return parseIndex(root, bytes, digest, mediaType);
        }
        throw new ManifestInvalidException("unsupported manifest media type \"" + mediaType + "\"");
    }

    private static ImageManifest parseImage(JsonNode root, byte[] bytes, Digest digest, String mediaType)
            throws ManifestInvalidException {
        if (root.has("manifests")) {
            throw new ManifestInvalidException("an image manifest must not have \"manifests\"");
        }
        JsonNode config = root.get("config");
        if (config == null || !config.isObject()) {
            throw new ManifestInvalidException("config descriptor missing");
        }
        JsonNode layers = root.get("layers");
        if (layers != null && !layers.isArray()) {
            throw new ManifestInvalidException("layers is not an array");
        }
        if (layers == null && mediaType.equals(MediaTypes.DOCKER_MANIFEST)) {
            throw new ManifestInvalidException("layers missing");
        }
        return new ImageManifest(bytes, digest, mediaType, descriptor(config, "config"),
                descriptors(layers, "layers"), optionalDescriptor(root, "subject"), text(root, "artifactType"),
                annotations(root));
    }

    private static ImageIndex parseIndex(JsonNode root, byte[] bytes, Digest digest, String mediaType)
            throws ManifestInvalidException {
        JsonNode manifests = root.get("manifests");
        if (manifests == null || !manifests.isArray()) {
            throw new ManifestInvalidException("manifests array missing");
        }
        if (root.has("config") || root.has("layers")) {
            throw new ManifestInvalidException("an index must not have \"config\" or \"layers\"");
        }
        return new ImageIndex(bytes, digest, mediaType, descriptors(manifests, "manifests"),
                optionalDescriptor(root, "subject"), text(root, "artifactType"), annotations(root));
    }

    private static Schema1Manifest parseSchema1(JsonNode root, byte[] bytes, Digest digest)
            throws ManifestInvalidException {
        JsonNode fsLayers = root.get("fsLayers");
        if (fsLayers == null || !fsLayers.isArray()) {
            throw new ManifestInvalidException("schema1 manifest without fsLayers");
        }
        List<Digest> layers = new ArrayList<>();
        for (JsonNode l : fsLayers) {
            layers.add(digest(text(l, "blobSum"), "fsLayers[].blobSum"));
        }
        String mediaType = root.has("signatures") ? MediaTypes.DOCKER_SCHEMA1_SIGNED : MediaTypes.DOCKER_SCHEMA1;
        return new Schema1Manifest(bytes, digest, mediaType, text(root, "name"), text(root, "tag"), layers);
    }

    private static List<Descriptor> descriptors(JsonNode array, String where) throws ManifestInvalidException {
        List<Descriptor> out = new ArrayList<>();
        if (array == null) {
            return out;
        }
        int i = 0;
        for (JsonNode n : array) {
            out.add(descriptor(n, where + "[" + i++ + "]"));
        }
        return out;
    }

    private static Descriptor optionalDescriptor(JsonNode root, String field) throws ManifestInvalidException {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? null : descriptor(n, field);
    }

    /** Validates a descriptor as the image spec requires: media type, digest and a non-negative size. */
    public static Descriptor descriptor(JsonNode n, String where) throws ManifestInvalidException {
        if (n == null || !n.isObject()) {
            throw new ManifestInvalidException(where + " is not a descriptor object");
        }
        String mediaType = text(n, "mediaType");
        if (mediaType == null || !MediaTypes.isWellFormed(mediaType)) {
            throw new ManifestInvalidException(where + ".mediaType missing or malformed");
        }
        Digest d = digest(text(n, "digest"), where + ".digest");
        JsonNode size = n.get("size");
        if (size == null || !size.canConvertToLong() || !size.isIntegralNumber() || size.longValue() < 0) {
            throw new ManifestInvalidException(where + ".size missing or negative");
        }
        List<String> urls = new ArrayList<>();
        JsonNode u = n.get("urls");
        if (u != null && !u.isNull()) {
            if (!u.isArray()) {
                throw new ManifestInvalidException(where + ".urls must be a list of strings");
            }
            for (JsonNode x : u) {
                if (!x.isTextual()) {
                    throw new ManifestInvalidException(where + ".urls must be a list of strings");
                }
                urls.add(x.textValue());
            }
        }
        Descriptor.Platform platform = null;
        JsonNode p = n.get("platform");
        if (p != null && !p.isNull()) {
            if (!p.isObject()) {
                throw new ManifestInvalidException(where + ".platform must be an object");
            }
            platform = new Descriptor.Platform(text(p, "architecture"), text(p, "os"), text(p, "variant"));
        }
        return new Descriptor(mediaType, d, size.longValue(), urls, annotations(n), text(n, "artifactType"), platform);
    }

    private static Digest digest(String s, String where) throws ManifestInvalidException {
        try {
            return Digest.parse(s);
        } catch (InvalidDigestException e) {
            throw new ManifestInvalidException(where + ": " + e.getMessage());
        }
    }

    /** The image spec's annotations: a map of strings to strings (Go's decoder refuses anything else too). */
    private static Map<String, String> annotations(JsonNode n) throws ManifestInvalidException {
        JsonNode a = n.get("annotations");
        if (a == null || a.isNull()) {
            return Map.of();
        }
        if (!a.isObject()) {
            throw new ManifestInvalidException("annotations must be a map of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new ManifestInvalidException("annotations[\"" + e.getKey() + "\"] must be a string");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    /** A string field, or null when absent or null; any other JSON type is invalid, as a Go string field's is. */
    private static String text(JsonNode n, String field) throws ManifestInvalidException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new ManifestInvalidException(field + " must be a string");
        }
        return v.textValue();
    }

    static {
        JSON.getFactory().disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
    }
}
