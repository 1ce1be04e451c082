package io.berth.verify;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one run, written as JSON by {@code --report}: every problem with its kind, path
 * and repository, and the totals.
 *
 * @param scope "store", or "repository NAME"
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VerifyReport(String store, String scope, Instant startedAt, Instant finishedAt, double durationSeconds,
                           int workers, String stateFile, Instant skippedVerifiedSince, boolean quarantine,
                           Totals totals, Map<String, Integer> problemsByKind, List<Problem> problems) {

    /**
     * @param blobs          blobs in scope
     * @param blobsHashed    re-hashed this run
     * @param blobsSkipped   verified recently enough ({@code --incremental})
     * @param blobsVanished  deleted between the walk and their turn (a gc running alongside)
     * @param hashSeconds    wall time of the hashing phase
     * @param hashBytesPerSecond bytesHashed / hashSeconds
     */
    public record Totals(long repositories, long blobs, long blobsHashed, long blobsSkipped, long blobsVanished,
                         long bytesHashed, double hashSeconds, double hashBytesPerSecond, long links, long manifests,
                         long tags, long uploads, long problems) {
    }

    public boolean clean() {
        return problems.isEmpty();
    }
}
