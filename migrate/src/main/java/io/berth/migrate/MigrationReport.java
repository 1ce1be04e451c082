package io.berth.migrate;

import io.berth.migrate.v1.Anomaly;
import java.time.Instant;
import java.util.List;

/** The JSON report of a V1 → V2 migration (or its plan, with {@code dryRun}). */
public record MigrationReport(String source, String destination, String sourceFormat, boolean dryRun,
                              String manifestFormat, String emptyLayers, Instant started, Instant finished,
                              Summary summary, List<TagResult> tags, List<LayerResult> layers, List<Anomaly> anomalies) {

    /**
     * @param bytes stored bytes of every layer the migratable tags need; {@code bytesRead} those
     *              actually read in this run (layers converted earlier are not read again)
     */
    public record Summary(int repositories, int tags, int tagsMigrated, int tagsUnchanged, int tagsSkipped,
                          long images, long bytes, long bytesRead, double seconds, double megabytesPerSecond,
                          int errors, int warnings) {
    }

    public enum TagStatus { MIGRATED, UNCHANGED, SKIPPED, PLANNED }

    /** One V1 tag: where it went (repository:tag @ manifest) or why not. */
    public record TagResult(String v1Repository, String repository, String tag, String imageId,
                            TagStatus status, String manifest, String reason) {
    }

    /** A V1 image and the blob it became, so V1 ids stay traceable after migration. */
    public record LayerResult(String v1Id, String digest, long size, String diffId, String storedAs, boolean empty) {
    }

    public boolean complete() {
        return summary.tagsSkipped() == 0;
    }
}
