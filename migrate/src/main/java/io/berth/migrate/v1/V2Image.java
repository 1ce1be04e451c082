package io.berth.migrate.v1;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.core.digest.Digest;
import io.berth.core.manifest.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds the V2 image for one V1 chain (spec §10.1, §10.3): the config from the top image's JSON
 * with rootfs and one history entry per V1 image, then the schema2 (or OCI) manifest. Both
 * serialisations are frozen, so one chain always gives the same config and manifest digests.
 */
public final class V2Image {
    /** Keys {@code MakeConfigFromV1Config} deletes, plus docker 1.4's {@code checksum}. */
    private static final Set<String> V1_ONLY = Set.of("id", "parent", "Size", "parent_id", "layer_id", "throwaway", "checksum");
    private static final Map<String, String> ARCH = Map.of("x86_64", "amd64", "i386", "386", "i686", "386",
            "aarch64", "arm64", "armhf", "arm", "armel", "arm", "armv7l", "arm");

    public enum Format {
        DOCKER(MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_CONFIG, MediaTypes.DOCKER_LAYER_GZIP),
        OCI(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, MediaTypes.OCI_LAYER_GZIP);

        public final String manifestType;
        public final String configType;
        public final String layerType;

        Format(String manifestType, String configType, String layerType) {
            this.manifestType = manifestType;
            this.configType = configType;
            this.layerType = layerType;
        }
    }

    /** Docker-compatible (every V1 image a layer, the default) or compact (empty layers dropped). */
    public enum EmptyLayers { KEEP, DROP }

    public record Built(byte[] config, Digest configDigest, byte[] manifest, Digest manifestDigest, List<Digest> layers) {
    }

    private V2Image() {
    }

    /**
     * @param chain  the V1 images, root first
     * @param layers their converted layers, same order
     */
    public static Built build(List<V1Image> chain, List<ConvertedLayer> layers, Format format, EmptyLayers policy) {
        V1Image top = chain.get(chain.size() - 1);
        ArrayNode diffIds = JsonNodeFactory.instance.arrayNode();
        ArrayNode history = JsonNodeFactory.instance.arrayNode();
        List<ConvertedLayer> kept = new ArrayList<>();
        for (int i = 0; i < chain.size(); i++) {
            ConvertedLayer layer = layers.get(i);
            boolean drop = layer.empty() && (policy == EmptyLayers.DROP || chain.get(i).throwaway());
            history.add(historyEntry(chain.get(i).node(), drop));
            if (!drop) {
                diffIds.add(layer.diffId().toString());
                kept.add(layer);
            }
        }
        TreeMap<String, JsonNode> fields = new TreeMap<>();
        top.node().fields().forEachRemaining(e -> {
            if (!V1_ONLY.contains(e.getKey())) {
                fields.put(e.getKey(), e.getValue());
            }
        });
        String arch = top.node().path("architecture").asText("");
        String normalized = arch.isEmpty() ? "amd64" : ARCH.getOrDefault(arch, arch);
        fields.put("architecture", JsonNodeFactory.instance.textNode(normalized));
        if ((arch.equals("armhf") || arch.equals("armv7l")) && !fields.containsKey("variant")) {
            fields.put("variant", JsonNodeFactory.instance.textNode("v7"));
        }
        if (top.node().path("os").asText("").isEmpty()) {
            fields.put("os", JsonNodeFactory.instance.textNode("linux"));
        }
        if (fields.containsKey("config") && fields.get("config").isNull()) {
            fields.remove("config");
        }
        ObjectNode rootfs = JsonNodeFactory.instance.objectNode();
        rootfs.put("type", "layers");
        rootfs.set("diff_ids", diffIds);
        fields.put("rootfs", rootfs);
        fields.put("history", history);
        ObjectNode config = JsonNodeFactory.instance.objectNode();
        fields.forEach(config::set); // top-level keys sorted, nested objects in source order
        byte[] configBytes;
        try {
            configBytes = V1Store.JSON.writeValueAsBytes(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        Digest configDigest = Digest.sha256(configBytes);
        byte[] manifest = manifest(format, configBytes.length, configDigest, kept);
        return new Built(configBytes, configDigest, manifest, Digest.sha256(manifest),
                kept.stream().map(ConvertedLayer::digest).toList());
    }

    private static ObjectNode historyEntry(ObjectNode v1, boolean emptyLayer) {
        ObjectNode h = JsonNodeFactory.instance.objectNode();
        String created = v1.path("created").asText("");
        if (!created.isEmpty() && !created.equals("0001-01-01T00:00:00Z")) {
            h.put("created", created);
        }
        String author = v1.path("author").asText("");
        if (!author.isEmpty()) {
            h.put("author", author);
        }
        JsonNode cmd = v1.path("container_config").path("Cmd");
        String createdBy = "";
        if (cmd.isArray()) {
            List<String> parts = new ArrayList<>();
            cmd.forEach(c -> parts.add(c.asText()));
            createdBy = String.join(" ", parts);
        } else if (cmd.isTextual()) {
            createdBy = cmd.asText();
        }
        if (!createdBy.isEmpty()) {
            h.put("created_by", createdBy);
        }
        String comment = v1.path("comment").asText("");
        if (!comment.isEmpty()) {
            h.put("comment", comment);
        }
        if (emptyLayer) {
            h.put("empty_layer", true);
        }
        return h;
    }

    /** docker's own serialisation (Go's MarshalIndent with three spaces), written by hand so it never drifts. */
    static byte[] manifest(Format format, long configSize, Digest configDigest, List<ConvertedLayer> layers) {
        StringBuilder b = new StringBuilder();
        b.append("{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"").append(format.manifestType).append("\",\n");
        b.append("   \"config\": ");
        descriptor(b, format.configType, configSize, configDigest, "   ");
        b.append(",\n   \"layers\": [");
        for (int i = 0; i < layers.size(); i++) {
            b.append(i == 0 ? "\n      " : ",\n      ");
            descriptor(b, format.layerType, layers.get(i).size(), layers.get(i).digest(), "      ");
        }
        b.append(layers.isEmpty() ? "]\n}" : "\n   ]\n}");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void descriptor(StringBuilder b, String mediaType, long size, Digest digest, String indent) {
        b.append("{\n").append(indent).append("   \"mediaType\": \"").append(mediaType).append("\",\n")
                .append(indent).append("   \"size\": ").append(size).append(",\n")
                .append(indent).append("   \"digest\": \"").append(digest).append("\"\n")
                .append(indent).append("}");
    }
}
