package io.berth.migrate.v1;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What {@code images/<id>/} holds apart from the layer bytes. {@code json} is kept as stored
 * (the payload checksum covers these exact bytes); {@code node} is its parse, key order and
 * unknown fields kept, or null when it does not parse.
 *
 * @param checksums the {@code _checksum} entries, or null when the file is absent
 * @param ancestry  the {@code ancestry} list, or null when absent or unreadable
 * @param layerSize size of {@code layer}, or -1 when it is absent
 */
public record V1Image(String id, byte[] json, ObjectNode node, String parent, List<String> checksums,
                      List<String> ancestry, boolean inProgress, long layerSize) {

    public boolean jsonValid() {
        return node != null;
    }

    /** The id the JSON declares (may differ from the directory: json_id_mismatch). */
    public String declaredId() {
        return node == null || !node.path("id").isTextual() ? null : node.get("id").asText();
    }

    /** {@code "throwaway": true}: an image docker marked as carrying no filesystem change. */
    public boolean throwaway() {
        return node != null && node.path("throwaway").asBoolean(false);
    }
}
