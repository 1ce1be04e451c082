package io.berth.gc;

import java.time.Duration;
import java.util.Objects;

/**
 * What one gc run does.
 *
 * @param dryRun                 report what would be deleted, delete nothing
 * @param deleteUntagged         roots are the tagged revisions only (distribution's {@code -m}); otherwise every revision
 * @param uploadMaxAge           upload sessions started longer ago than this are deleted
 * @param gracePeriod            nothing modified more recently than this is deleted, and links this young protect their targets
 * @param pruneEmptyRepositories delete repositories left with no tags and no manifests
 * @param workers                concurrent storage calls
 */
public record GcOptions(boolean dryRun, boolean deleteUntagged, Duration uploadMaxAge, Duration gracePeriod,
                        boolean pruneEmptyRepositories, int workers) {

    public static final Duration DEFAULT_UPLOAD_MAX_AGE = Duration.ofDays(7);
    public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofHours(1);

    public GcOptions {
        Objects.requireNonNull(uploadMaxAge, "uploadMaxAge");
        Objects.requireNonNull(gracePeriod, "gracePeriod");
        if (uploadMaxAge.isNegative() || gracePeriod.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
    }

    public static GcOptions defaults(int workers) {
        return new GcOptions(false, false, DEFAULT_UPLOAD_MAX_AGE, DEFAULT_GRACE_PERIOD, false, workers);
    }

    public GcOptions withDryRun(boolean v) {
        return new GcOptions(v, deleteUntagged, uploadMaxAge, gracePeriod, pruneEmptyRepositories, workers);
    }

    public GcOptions withDeleteUntagged(boolean v) {
        return new GcOptions(dryRun, v, uploadMaxAge, gracePeriod, pruneEmptyRepositories, workers);
    }

    public GcOptions withGracePeriod(Duration v) {
        return new GcOptions(dryRun, deleteUntagged, uploadMaxAge, v, pruneEmptyRepositories, workers);
    }

    public GcOptions withUploadMaxAge(Duration v) {
        return new GcOptions(dryRun, deleteUntagged, v, gracePeriod, pruneEmptyRepositories, workers);
    }

    public GcOptions withPruneEmptyRepositories(boolean v) {
        return new GcOptions(dryRun, deleteUntagged, uploadMaxAge, gracePeriod, v, workers);
    }
}
