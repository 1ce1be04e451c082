package io.berth.migrate.copy;

import io.berth.core.digest.Digest;
import io.berth.core.digest.Digester;
import io.berth.core.layout.PathLayout;
import io.berth.core.reference.RepositoryName;
import io.berth.core.storage.FileWriter;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.gc.job.Progress;
import io.berth.migrate.copy.CopyReport.Problem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;

/**
 * Copies blobs, each once however many repositories need it, hashing the bytes as they stream
 * from the source and making the blob visible at the destination only once they hash to its
 * digest, so the destination never shows a blob it has not verified:
 *
 * <ul>
 *   <li>Small blobs (manifests, configs, most small layers) are read whole and, once verified,
 *       stored with one {@code putContent}, which is atomic on every driver.
 *   <li>Larger ones stream into an upload under the destination repository that first needs
 *       them ({@code _uploads/<uuid>/data} with {@code startedat}, so a copy killed midway is a
 *       stale upload that upload purging removes) and are moved into place once verified. On
 *       S3 they stream straight to their key instead; see {@link #direct}.
 * </ul>
 *
 * With {@link CopyOptions#verify()} each copied blob is then read back from its final place and
 * hashed again; one that does not match is deleted and reported. A copy that fails on a storage
 * error is tried again twice (a streamed body cannot be retried by the SDKs themselves).
 */
final class BlobCopier {
    private static final int BUFFER = 1 << 20;
    /** Up to this size a blob is held in memory and stored with one atomic putContent. */
    static final long SMALL = 2L << 20;
    /** Blobs above this size hold a memory permit while copying (object store writers buffer a part). */
    private static final long LARGE = 8L << 20;
    private static final long[] RETRY_DELAYS_MILLIS = {500, 2000};

    enum State { PRESENT, COPIED, MISSING, FAILED }

    /** What became of a blob; {@code reason} says why it is not at the destination. */
    record Outcome(State state, String reason) {
        boolean available() {
            return state == State.PRESENT || state == State.COPIED;
        }
    }

    private final StorageDriver source;
    private final StorageDriver destination;
    private final BlobIndex sourceBlobs;
    private final BlobIndex destinationBlobs;
    private final CopyOptions options;
    private final Tally tally;
    private final Progress progress;
    private final ExecutorService pool;
    private final Map<Digest, CompletableFuture<Outcome>> blobs = new ConcurrentHashMap<>();
    /**
     * True on S3, whose writer shows nothing at its key until commit (a multipart upload, or one
     * PutObject), so a large blob is written in place and committed only once verified; a copy
     * killed midway leaves an invisible upload that the next writer for the key aborts. Staging
     * and a server-side copy would write every byte twice. Elsewhere (a file, an Azure append
     * blob) a writer's bytes are visible as they come, so large blobs are staged as uploads.
     */
    private final boolean direct;
    /** Bounds the part buffers of large copies in flight to a quarter of the heap. */
    private final Semaphore largeCopies;

    BlobCopier(StorageDriver source, StorageDriver destination, BlobIndex sourceBlobs, BlobIndex destinationBlobs,
               CopyOptions options, Tally tally, Progress progress, ExecutorService pool) {
        this.source = source;
        this.destination = destination;
        this.sourceBlobs = sourceBlobs;
        this.destinationBlobs = destinationBlobs;
        this.options = options;
        this.tally = tally;
        this.progress = progress;
        this.pool = pool;
        this.direct = destination.name().equals("s3");
        this.largeCopies = new Semaphore((int) Math.max(1, Runtime.getRuntime().maxMemory() / 4 / (16L << 20)));
    }

    /** The blob's outcome, copying it on first request; {@code neededBy} hosts the upload and the report line. */
    CompletableFuture<Outcome> copy(Digest d, RepositoryName neededBy) {
        return blobs.computeIfAbsent(d, k -> CompletableFuture.supplyAsync(() -> copyNow(d, neededBy), pool));
    }

    private Outcome copyNow(Digest d, RepositoryName repo) {
        String path = PathLayout.blobData(d);
        for (int attempt = 0; ; attempt++) {
            try {
                return copyOnce(d, repo);
            } catch (IOException e) {
                if (attempt < RETRY_DELAYS_MILLIS.length && !Thread.currentThread().isInterrupted()) {
                    sleep(RETRY_DELAYS_MILLIS[attempt]);
                    continue;
                }
                tally.error(path, "copy failed after " + (attempt + 1) + " attempts: " + e);
                return new Outcome(State.FAILED, "its copy failed: " + e.getMessage());
            } catch (RuntimeException e) {
                tally.error(path, "copy failed: " + e);
                return new Outcome(State.FAILED, "its copy failed: " + e);
            }
        }
    }

    private Outcome copyOnce(Digest d, RepositoryName repo) throws IOException {
        String path = PathLayout.blobData(d);
        long size = sourceBlobs.size(d);
        if (size < 0) {
            try {
                size = source.stat(path).size(); // pushed after the index walk: the source is online
            } catch (PathNotFoundException e) {
                return missing(d);
            }
        }
        if (destinationBlobs.size(d) == size) {
            tally.blobsSkipped.incrementAndGet();
            return new Outcome(State.PRESENT, null);
        }
        if (options.dryRun()) {
            tally.blobsCopied.incrementAndGet();
            tally.bytesCopied.addAndGet(size);
            progress.step(size);
            return new Outcome(State.COPIED, null);
        }
        InputStream in;
        try {
            in = source.reader(path, 0);
        } catch (PathNotFoundException e) {
            return missing(d); // deleted at the source since the walk
        }
        try (in) {
            if (size <= SMALL) {
                return small(d, in, repo);
            }
            largeCopies.acquireUninterruptibly();
            try {
                return large(d, in, repo);
            } finally {
                largeCopies.release();
            }
        }
    }

    private Outcome small(Digest d, InputStream in, RepositoryName repo) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream((int) SMALL);
        Digester hash = new Digester(d.algorithm());
        pump(in, hash, buf);
        Outcome corrupt = checkSource(d, hash, repo);
        if (corrupt != null) {
            return corrupt;
        }
        destination.putContent(PathLayout.blobData(d), buf.toByteArray());
        return copied(d, hash.count());
    }

    private Outcome large(Digest d, InputStream in, RepositoryName repo) throws IOException {
        String path = PathLayout.blobData(d);
        String uuid = UUID.randomUUID().toString();
        String target = direct ? path : PathLayout.uploadData(repo, uuid);
        try {
            if (!direct) {
                destination.putContent(PathLayout.uploadStartedAt(repo, uuid),
                        DateTimeFormatter.ISO_INSTANT.format(Instant.now()).getBytes(StandardCharsets.UTF_8));
            }
            Digester hash = new Digester(d.algorithm());
            try (FileWriter out = destination.writer(target, false)) {
                pump(in, hash, out);
                Outcome corrupt = checkSource(d, hash, repo);
                if (corrupt != null) {
                    out.cancel();
                    return corrupt;
                }
                out.commit();
            }
            if (!direct) {
                destination.move(target, path);
            }
            return copied(d, hash.count());
        } finally {
            if (!direct) {
                deleteQuietly(PathLayout.uploadDir(repo, uuid));
            }
        }
    }

    private void pump(InputStream in, Digester hash, OutputStream out) throws IOException {
        byte[] buf = new byte[BUFFER];
        for (int n; (n = in.read(buf)) > 0; ) {
            hash.update(buf, 0, n);
            out.write(buf, 0, n);
            progress.step(n);
        }
    }

    /** Null when the source's bytes hash to the digest, else the outcome of a corrupt blob (reported). */
    private Outcome checkSource(Digest d, Digester hash, RepositoryName repo) {
        Digest actual = hash.digest();
        if (actual.equals(d)) {
            return null;
        }
        tally.problem(Problem.Kind.CORRUPT_BLOB, repo.value(), PathLayout.blobData(d),
                "its " + hash.count() + " bytes hash to " + actual + "; not copied");
        return new Outcome(State.FAILED, "the source's data is corrupt (hashes to " + actual + ")");
    }

    /** Counts a blob now in place, after reading it back when asked to. */
    private Outcome copied(Digest d, long size) throws IOException {
        if (options.verify()) {
            String failure = readBack(d, size);
            if (failure != null) {
                deleteQuietly(PathLayout.blobDir(d));
                tally.verifyFailure(PathLayout.blobData(d), failure);
                return new Outcome(State.FAILED, "its copy did not verify: " + failure);
            }
        }
        destinationBlobs.put(d, size);
        tally.blobsCopied.incrementAndGet();
        tally.bytesCopied.addAndGet(size);
        return new Outcome(State.COPIED, null);
    }

    /** Reads the blob back from the destination; null when it hashes to its digest, else why not. */
    private String readBack(Digest d, long size) throws IOException {
        Digester hash = new Digester(d.algorithm());
        try (InputStream in = destination.reader(PathLayout.blobData(d), 0)) {
            byte[] buf = new byte[BUFFER];
            for (int n; (n = in.read(buf)) > 0; ) {
                hash.update(buf, 0, n);
            }
        } catch (PathNotFoundException e) {
            return "gone from the destination right after it was written";
        }
        Digest actual = hash.digest();
        if (!actual.equals(d) || hash.count() != size) {
            return "read back " + hash.count() + " bytes hashing to " + actual + " (wrote " + size + ")";
        }
        return null;
    }

    private static Outcome missing(Digest d) {
        return new Outcome(State.MISSING, "the source has no data for " + d);
    }

    private void deleteQuietly(String path) {
        try {
            destination.delete(path);
        } catch (PathNotFoundException e) {
            // already gone
        } catch (IOException | RuntimeException e) {
            tally.error(path, "could not remove: " + e.getMessage());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
