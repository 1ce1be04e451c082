package io.berth.migrate.v1;

import java.util.List;
import java.util.Map;

/**
 * What a V1 store holds and what the migration will do with it: every tag found (with its chain,
 * root first, or the reason it is skipped), the images those chains need, and the anomalies.
 */
public record V1Plan(int repositories, List<PlannedTag> tags, Map<String, V1Image> images, List<Anomaly> anomalies) {

    /**
     * @param v1Repository the V1 name, decoded ({@code library/busybox})
     * @param repository   the V2 name it maps to, or null when the name cannot be mapped
     * @param chain        image ids root first; null when the tag is skipped
     * @param skipped      the anomaly kind that stops this tag, or null
     */
    public record PlannedTag(String v1Repository, String repository, String tag, String imageId,
                             List<String> chain, Anomaly.Kind skipped) {
        public boolean migratable() {
            return skipped == null;
        }
    }

    /** Bytes of every distinct layer the migratable tags need (as stored). */
    public long layerBytes() {
        return tags.stream().filter(PlannedTag::migratable).flatMap(t -> t.chain().stream()).distinct()
                .mapToLong(id -> Math.max(0, images.get(id).layerSize())).sum();
    }

    public long distinctImages() {
        return tags.stream().filter(PlannedTag::migratable).flatMap(t -> t.chain().stream()).distinct().count();
    }
}
