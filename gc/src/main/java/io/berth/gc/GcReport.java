package io.berth.gc;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The outcome of a gc run, written as the JSON report ({@code --report}). In a dry run the lists
 * say what would have been deleted.
 *
 * @param phaseMillis  wall time of each phase (mark, blobs, recheck, sweep blobs), in run order
 * @param repositories per repository, what was deleted from it
 * @param blobs        blobs deleted from the store-wide blob store (they belong to no one repository)
 * @param failures     deletions that failed; the run's exit code is 1 when there are any
 */
public record GcReport(boolean dryRun, String storage, Instant startedAt, long durationMillis,
                       Map<String, Long> phaseMillis, Options options,
                       SortedMap<String, RepositoryResult> repositories, List<BlobResult> blobs, Totals totals,
                       List<Failure> failures, List<String> notes) {

    public record Options(boolean deleteUntagged, String uploadMaxAge, String gracePeriod,
                          boolean pruneEmptyRepositories, int workers) {
    }

    /** {@code tagIndexEntries} are {@code tag@digest}; {@code uploads} are session uuids. */
    public record RepositoryResult(List<String> manifests, List<String> tagIndexEntries, List<String> layerLinks,
                                   List<String> uploads, boolean pruned, long bytesFreed) {
    }

    public record BlobResult(String digest, long size) {
    }

    public record Totals(long repositories, long manifests, long tagIndexEntries, long layerLinks, long uploads,
                         long repositoriesPruned, long blobsScanned, long blobsMarked, long blobs,
                         long bytesFreed, long markSetBytes) {
    }

    public record Failure(String path, String error) {
    }

    public boolean failed() {
        return !failures.isEmpty();
    }
}
