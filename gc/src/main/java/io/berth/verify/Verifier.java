package io.berth.verify;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.storage.FileInfo;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.core.walk.RepositoryEntries;
import io.berth.core.walk.StoreWalker;
import io.berth.gc.job.Progress;
import io.berth.gc.job.Workers;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code berth verify}: re-hashes blobs and checks every repository's links, manifests, tags and
 * uploads (see {@link RepositoryChecker} for what is reported how).
 *
 * <p>The whole store: one walk of blobs/ builds a packed index of digests and sizes, then the
 * blobs are hashed on {@code workers} threads while the repositories are walked and checked on
 * as many others (link reads are I/O, hashing is CPU). One repository ({@code --repository}): its
 * files are walked, every blob it names is looked up by stat, and only those are hashed.
 */
public final class Verifier {
    private final StorageDriver driver;
    private final VerifyOptions options;
    private final String store;
    private final Instant now = Instant.now();
    private final AtomicLong hashed = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong vanished = new AtomicLong();
    private final AtomicLong bytesHashed = new AtomicLong();
    private final RepositoryChecker.Counts counts = new RepositoryChecker.Counts();
    /** How long quarantining waits for a running gc to finish before it gives up (the blobs stay reported). */
    private static final Duration QUARANTINE_PATIENCE = Duration.ofMinutes(30);
    private Findings findings;
    private VerifyState state;
    /** Set when the repository walk failed, so the hashing stops feeding instead of running on for hours. */
    private volatile boolean aborted;

    private Verifier(StorageDriver driver, String store, VerifyOptions options) {
        this.driver = driver;
        this.store = store;
        this.options = options;
    }

    /**
     * Runs the checks. Problems in the store are in the report; an {@link IOException} means the
     * run itself could not be completed (store unreachable, walk failed, state file unusable).
     */
    public static VerifyReport run(StorageDriver driver, String store, VerifyOptions options) throws IOException {
        return new Verifier(driver, store, options).run();
    }

    private VerifyReport run() throws IOException {
        long t0 = System.nanoTime();
        BlobHasher.warmUp();
        state = options.state() == null ? null : VerifyState.open(options.state());
        try {
            findings = new Findings(driver, options.quarantine(), state);
            BlobIndex index;
            long[] hashNanos;
            if (options.repository() == null) {
                index = walkBlobs();
                hashNanos = wholeStore(index);
            } else {
                BlobLookup.ByStat lookup = new BlobLookup.ByStat(driver);
                RepositoryChecker checker = checker(lookup);
                new StoreWalker(driver).walkRepository(options.repository(), new StoreWalker.Visitor() {
                    @Override
                    public void repository(RepositoryEntries repository) throws IOException {
                        checker.check(repository);
                    }

                    @Override
                    public void unrecognised(FileInfo info) {
                        stray(info);
                    }
                });
                index = lookup.found();
                hashNanos = new long[] {hashAll(index)};
            }
            findings.quarantine(Clock.systemUTC(), QUARANTINE_PATIENCE);
            return report(index, t0, hashNanos[0]);
        } finally {
            if (state != null) {
                state.close();
            }
        }
    }

    private RepositoryChecker checker(BlobLookup lookup) {
        return new RepositoryChecker(driver, lookup, findings, counts, options.uploadMaxAge(), now);
    }

    private BlobIndex walkBlobs() throws IOException {
        BlobIndex index = new BlobIndex();
        new StoreWalker(driver).walkBlobs(new StoreWalker.Visitor() {
            @Override
            public void blob(Digest digest, FileInfo info) {
                index.add(digest, info.size());
            }

            @Override
            public void unrecognised(FileInfo info) {
                stray(info);
            }
        });
        index.seal();
        return index;
    }

    private void stray(FileInfo info) {
        findings.add(new Problem(ProblemKind.STRAY_FILE, info.path(), null, null,
                info.size() + " bytes, not part of the registry's layout"));
    }

    /** Hashing and the repository checks side by side; returns the hashing phase's nanoseconds. */
    private long[] wholeStore(BlobIndex index) throws IOException {
        long[] hashNanos = new long[1];
        IOException[] hashFailure = new IOException[1];
        Thread hashing = new Thread(() -> {
            try {
                hashNanos[0] = hashAll(index);
            } catch (IOException e) {
                hashFailure[0] = e;
            }
        }, "verify-hash-feeder");
        hashing.start();
        ExecutorService pool = Workers.pool("verify-repo", options.workers());
        try {
            RepositoryChecker checker = checker(BlobLookup.of(index, driver));
            Bounded bounded = new Bounded(pool, options.workers() * 2);
            new StoreWalker(driver).walkRepositories(new StoreWalker.Visitor() {
                @Override
                public void repository(RepositoryEntries repository) throws IOException {
                    bounded.submit(() -> {
                        checker.check(repository);
                        return null;
                    });
                }

                @Override
                public void unrecognised(FileInfo info) {
                    stray(info);
                }
            });
            bounded.awaitAll();
        } catch (IOException | RuntimeException | Error e) {
            aborted = true;
            throw e;
        } finally {
            pool.shutdownNow();
            join(hashing);
        }
        if (hashFailure[0] != null) {
            throw hashFailure[0];
        }
        return hashNanos;
    }

    /** Hashes every blob of the index not verified recently enough; returns the elapsed nanoseconds. */
    private long hashAll(BlobIndex index) throws IOException {
        long start = System.nanoTime();
        ExecutorService pool = Workers.pool("verify-hash", options.workers());
        try (Progress progress = Progress.start("verify: hashing", "bytes", options.quiet())) {
            progress.maxHint(index.totalBytes());
            Bounded bounded = new Bounded(pool, options.workers() * 4);
            long[] skippedBytes = {0};
            IOException[] failure = {null};
            index.forEach((digest, size) -> {
                if (failure[0] != null || aborted) {
                    return;
                }
                try {
                    if (recentlyVerified(digest, size)) {
                        skipped.incrementAndGet();
                        skippedBytes[0] += size;
                        progress.maxHint(index.totalBytes() - skippedBytes[0]);
                        return;
                    }
                    bounded.submit(() -> {
                        hashOne(digest, progress);
                        return null;
                    });
                } catch (IOException e) {
                    failure[0] = e;
                }
            });
            if (failure[0] != null) {
                throw failure[0];
            }
            bounded.awaitAll();
        } finally {
            pool.shutdownNow();
        }
        return System.nanoTime() - start;
    }

    private boolean recentlyVerified(Digest d, long size) throws IOException {
        if (state == null || options.skipVerifiedSince() == null) {
            return false;
        }
        return state.lookup(d).filter(e -> e.size() == size && !e.verifiedAt().isBefore(options.skipVerifiedSince()))
                .isPresent();
    }

    private void hashOne(Digest d, Progress progress) throws IOException {
        if (findings.isCorrupt(d)) {
            return; // a repository check found it first (a manifest)
        }
        String path = PathLayout.blobData(d);
        BlobHasher.Result r;
        try {
            r = BlobHasher.hash(driver, path, d.algorithm(), progress::step);
        } catch (PathNotFoundException e) {
            vanished.incrementAndGet();
            return;
        } catch (IOException e) {
            findings.add(new Problem(ProblemKind.BLOB_UNREADABLE, path, null, d.toString(),
                    "reading it failed: " + e.getMessage()));
            return;
        }
        hashed.incrementAndGet();
        bytesHashed.addAndGet(r.size());
        if (r.digest().equals(d)) {
            if (state != null) {
                state.verified(d, r.size(), now);
            }
        } else {
            findings.corrupt(d, "content hashes to " + r.digest() + " (" + r.size() + " bytes)");
        }
    }

    private VerifyReport report(BlobIndex index, long t0, long hashNanos) {
        List<Problem> problems = findings.result();
        Map<String, Integer> byKind = new TreeMap<>();
        problems.forEach(p -> byKind.merge(p.kind().id(), 1, Integer::sum));
        double hashSeconds = hashNanos / 1e9;
        VerifyReport.Totals totals = new VerifyReport.Totals(counts.repositories.get(), index.count(), hashed.get(),
                skipped.get(), vanished.get(), bytesHashed.get(), round(hashSeconds),
                hashSeconds > 0 ? Math.round(bytesHashed.get() / hashSeconds) : 0, counts.links.get(),
                counts.manifests.get(), counts.tags.get(), counts.uploads.get(), problems.size());
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new VerifyReport(store, options.repository() == null ? "store" : "repository " + options.repository(),
                now, now.plus(Duration.ofNanos(System.nanoTime() - t0)), round(seconds), options.workers(),
                options.state() == null ? null : options.state().toAbsolutePath().toString(),
                options.skipVerifiedSince(), options.quarantine(), totals, byKind, problems);
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }

    private static void join(Thread t) throws IOException {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while hashing");
        }
    }

    /** Submits tasks with at most {@code limit} queued or running, so a walk of millions never floods memory. */
    private static final class Bounded {
        interface Task {
            Void call() throws IOException;
        }

        private final ExecutorService pool;
        private final Semaphore slots;
        private final List<Future<?>> pending = new ArrayList<>();

        Bounded(ExecutorService pool, int limit) {
            this.pool = pool;
            this.slots = new Semaphore(limit);
        }

        void submit(Task task) throws IOException {
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
            for (java.util.Iterator<Future<?>> it = pending.iterator(); it.hasNext(); ) {
                Future<?> f = it.next();
                if (f.isDone()) {
                    get(f);
                    it.remove();
                }
            }
            pending.add(pool.submit(() -> {
                try {
                    return task.call();
                } finally {
                    slots.release();
                }
            }));
        }

        void awaitAll() throws IOException {
            for (Future<?> f : pending) {
                get(f);
            }
            pending.clear();
        }

        /** A task's failure is the run's failure (the state file, the store gone). */
        private static void get(Future<?> f) throws IOException {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof IOException io) {
                    throw io;
                } else if (c instanceof RuntimeException re) {
                    throw re;
                } else if (c instanceof Error er) {
                    throw er;
                }
                throw new IOException(c);
            }
        }
    }
}
