package io.berth.migrate.copy;

import io.berth.core.layout.PathLayout;
import io.berth.core.storage.StorageDriver;
import io.berth.core.walk.RepositoryEntries;
import io.berth.core.walk.StoreWalker;
import io.berth.gc.job.Progress;
import io.berth.gc.job.Workers;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Copies a V2 store (Berth's or distribution's layout, on any driver) into another, so that the
 * destination serves what the source serves, with the same digests.
 *
 * <ol>
 *   <li>Both stores' {@code blobs/} are walked (flat listings on object stores) into size indexes:
 *       a blob the destination holds with the same digest and size is not copied again, which
 *       makes a second run copy nothing and a later "final pass" copy only what changed.
 *   <li>The source's repositories are walked one at a time; each that passes the filter is copied
 *       by a {@link RepositoryCopier} (blobs, layer links, revisions children first, tags last),
 *       up to {@code workers} repositories at once, and blob copies and link writes run on a pool
 *       of {@code workers}.
 * </ol>
 *
 * <p>The source may stay online. Each pass copies what it sees; tags moved since are rewritten,
 * tags deleted since are deleted only when that is provably safe (see
 * {@link RepositoryCopier}); manifests, blobs and layer links deleted at the source are left at
 * the destination (its gc removes what is no longer referenced), and a repository gone from the
 * source is left alone.
 *
 * <p>{@code run}'s {@link Progress} is stepped by bytes read from the source; its hint is the
 * size of the source's blobs the destination lacks (an upper bound: unreferenced source blobs and
 * repositories outside the filter are not copied).
 */
public final class StoreCopier {
    private final StorageDriver source;
    private final StorageDriver destination;
    private final CopyOptions options;

    public StoreCopier(StorageDriver source, StorageDriver destination, CopyOptions options) {
        this.source = source;
        this.destination = destination;
        this.options = options;
    }

    /**
     * Copies (or, with {@code dryRun}, plans) and reports. Problems of single blobs, manifests,
     * tags and repositories are in the report; an exception means the run could not go on (the
     * source could not be listed).
     *
     * @param progress stepped by bytes; null for none
     */
    public CopyReport run(Progress progress) throws IOException {
        long started = System.nanoTime();
        Progress bar = progress != null ? progress : Progress.start("copy", "bytes", true);
        Tally tally = new Tally();
        ExecutorService io = Workers.pool("copy-io", options.workers());
        ExecutorService repos = Workers.pool("copy-repository", options.workers());
        try {
            StoreWalker sourceWalker = new StoreWalker(source);
            StoreWalker destinationWalker = new StoreWalker(destination);
            CompletableFuture<BlobIndex> destinationIndex = CompletableFuture.supplyAsync(() -> {
                try {
                    return BlobIndex.of(destinationWalker);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, io);
            BlobIndex sourceBlobs = BlobIndex.of(sourceWalker);
            BlobIndex destinationBlobs = await(destinationIndex);
            bar.maxHint(sourceBlobs.bytesMissingFrom(destinationBlobs));
            BlobCopier blobs = new BlobCopier(source, destination, sourceBlobs, destinationBlobs, options, tally, bar, io);

            // the walk hands over one repository at a time; a few wait their turn, the rest are not read yet
            Semaphore inFlight = new Semaphore(2 * options.workers());
            AtomicReference<Error> fatal = new AtomicReference<>();
            sourceWalker.walkRepositories(new StoreWalker.Visitor() {
                @Override
                public void repository(RepositoryEntries entries) throws IOException {
                    if (!options.repositoryFilter().test(entries.name())) {
                        return;
                    }
                    tally.repositories.incrementAndGet();
                    try {
                        inFlight.acquire();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted");
                    }
                    repos.execute(() -> {
                        try {
                            RepositoryEntries there = destinationWalker.repository(entries.name());
                            new RepositoryCopier(source, destination, entries, there, blobs, io, options.dryRun(), tally)
                                    .run();
                        } catch (IOException | RuntimeException e) {
                            tally.error(PathLayout.repository(entries.name()), "repository not fully copied: " + e);
                        } catch (Error e) {
                            fatal.compareAndSet(null, e); // a broken JVM or class path: the run must not look clean
                        } finally {
                            inFlight.release();
                        }
                    });
                }
            });
            repos.shutdown();
            if (!repos.awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS)) {
                throw new IOException("repository copies did not finish");
            }
            if (fatal.get() != null) {
                throw fatal.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        } finally {
            repos.shutdownNow();
            io.shutdownNow();
        }
        return tally.report(options.dryRun(), (System.nanoTime() - started) / 1_000_000);
    }

    private static <T> T await(Future<T> f) throws IOException, InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            throw new IOException(e.getCause());
        }
    }
}
