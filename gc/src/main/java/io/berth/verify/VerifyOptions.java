package io.berth.verify;

import io.berth.core.reference.RepositoryName;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * What one run checks and how.
 *
 * @param repository     only this repository and the blobs it reaches; null for the whole store
 * @param workers        blobs hashed (and repositories checked) in parallel
 * @param state          SQLite history of verified blobs, updated by every run; null for none
 * @param skipVerifiedSince with a state: blobs verified at or after this instant (and unchanged in
 *                       size) are not re-hashed; null re-hashes everything
 * @param quarantine     move corrupt blobs to {@code quarantine/}
 * @param uploadMaxAge   uploads older than this are reported stale
 * @param quiet          no progress output
 */
public record VerifyOptions(RepositoryName repository, int workers, Path state, Instant skipVerifiedSince,
                            boolean quarantine, Duration uploadMaxAge, boolean quiet) {

    public static final Duration DEFAULT_UPLOAD_MAX_AGE = Duration.ofDays(7);

    public VerifyOptions {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        if (skipVerifiedSince != null && state == null) {
            throw new IllegalArgumentException("skipping verified blobs needs a state file");
        }
        if (uploadMaxAge == null) {
            uploadMaxAge = DEFAULT_UPLOAD_MAX_AGE;
        }
    }

    /** Everything, once, with {@code workers} threads and no output. */
    public static VerifyOptions all(int workers) {
        return new VerifyOptions(null, workers, null, null, false, DEFAULT_UPLOAD_MAX_AGE, true);
    }

    public VerifyOptions withRepository(RepositoryName r) {
        return new VerifyOptions(r, workers, state, skipVerifiedSince, quarantine, uploadMaxAge, quiet);
    }

    public VerifyOptions withState(Path s, Instant since) {
        return new VerifyOptions(repository, workers, s, since, quarantine, uploadMaxAge, quiet);
    }

    public VerifyOptions withQuarantine(boolean q) {
        return new VerifyOptions(repository, workers, state, skipVerifiedSince, q, uploadMaxAge, quiet);
    }

    public VerifyOptions withUploadMaxAge(Duration d) {
        return new VerifyOptions(repository, workers, state, skipVerifiedSince, quarantine, d, quiet);
    }
}
