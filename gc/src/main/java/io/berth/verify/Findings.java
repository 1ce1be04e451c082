package io.berth.verify;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.gc.GcLease;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The problems of one run, collected from the hashing and repository threads. A corrupt blob is
 * reported (and quarantined) once, whichever thread finds it first; the others ask
 * {@link #isCorrupt} so a moved or mangled blob is not reported again as missing or unparsable.
 * With quarantine, the moves wait until the checks are done and then run under the gc lease
 * ({@link GcLease}): a registry that caches blob descriptors must stop trusting them before a blob
 * disappears, or it answers "present" for it and a client re-pushing the image skips the upload.
 */
final class Findings {
    /** A manifest descriptor's size that differs from its blob's: only a problem if the blob is intact. */
    record SizeClaim(String repository, String manifestPath, Digest manifest, Digest blob, long claimed,
                     long actual) {
    }

    private final StorageDriver driver;
    private final boolean quarantine;
    private final VerifyState state;
    private final ConcurrentLinkedQueue<Problem> problems = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<SizeClaim> sizeClaims = new ConcurrentLinkedQueue<>();
    private final Set<Digest> corrupt = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Problem> toQuarantine = new ConcurrentLinkedQueue<>();

    Findings(StorageDriver driver, boolean quarantine, VerifyState state) {
        this.driver = driver;
        this.quarantine = quarantine;
        this.state = state;
    }

    void add(Problem p) {
        problems.add(p);
    }

    void sizeClaim(SizeClaim c) {
        sizeClaims.add(c);
    }

    boolean isCorrupt(Digest d) {
        return corrupt.contains(d);
    }

    /** Reports a blob whose content does not hash to its digest, then moves it aside if asked to. */
    void corrupt(Digest d, String detail) throws IOException {
        if (!corrupt.add(d)) {
            return;
        }
        String path = PathLayout.blobData(d);
        Problem p = new Problem(ProblemKind.BLOB_DIGEST_MISMATCH, path, null, d.toString(), detail);
        if (state != null) {
            state.forget(d);
        }
        (quarantine ? toQuarantine : problems).add(p);
    }

    /**
     * Moves the corrupt blobs found to quarantine, under the gc lease (waiting up to
     * {@code patience} for a running gc to finish); a blob that could not be moved is reported
     * with the reason.
     */
    void quarantine(Clock clock, Duration patience) {
        if (toQuarantine.isEmpty()) {
            return;
        }
        try (GcLease lease = GcLease.acquireWaiting(driver, clock, "berth verify --quarantine", patience)) {
            lease.await();
            for (Problem p; (p = toQuarantine.poll()) != null; ) {
                try {
                    problems.add(p.quarantined(moveAside(Digest.parse(p.digest()))));
                } catch (IOException e) {
                    problems.add(notQuarantined(p, e));
                }
            }
        } catch (IOException e) {
            for (Problem p; (p = toQuarantine.poll()) != null; ) {
                problems.add(notQuarantined(p, e));
            }
        }
    }

    private static Problem notQuarantined(Problem p, IOException e) {
        return new Problem(p.kind(), p.path(), p.repository(), p.digest(),
                p.detail() + "; could not quarantine it: " + e.getMessage());
    }

    /** Moves the blob to the first free {@code quarantine/<alg>/<hex>/data[.n]}: never over an earlier copy. */
    private String moveAside(Digest d) throws IOException {
        for (int n = 0; ; n++) {
            String dest = PathLayout.quarantineData(d, n);
            try {
                driver.stat(dest);
            } catch (PathNotFoundException free) {
                driver.move(PathLayout.blobData(d), dest);
                return dest;
            }
        }
    }

    /** The problems, size claims on corrupt blobs dropped (the corruption explains them), sorted. */
    List<Problem> result() {
        List<Problem> out = new ArrayList<>(problems);
        for (SizeClaim c : sizeClaims) {
            if (!corrupt.contains(c.blob())) {
                out.add(new Problem(ProblemKind.MANIFEST_REFERENCE_SIZE_MISMATCH, c.manifestPath(), c.repository(),
                        c.blob().toString(), "manifest " + c.manifest() + " gives " + c.blob() + " a size of "
                        + c.claimed() + " bytes; the blob has " + c.actual()));
            }
        }
        out.sort(Comparator.comparing((Problem p) -> p.kind().ordinal())
                .thenComparing(Problem::path)
                .thenComparing(p -> p.repository() == null ? "" : p.repository()));
        return out;
    }
}
