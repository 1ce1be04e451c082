package io.berth.gc;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.reference.InvalidNameException;
import io.berth.core.reference.RepositoryName;
import io.berth.core.reference.Tag;
import io.berth.core.storage.FileInfo;
import io.berth.core.storage.InvalidPathException;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.core.walk.RepositoryEntries;
import io.berth.core.walk.StoreWalker;
import io.berth.gc.job.BoundedTasks;
import io.berth.gc.job.Progress;
import io.berth.gc.job.Workers;
import io.berth.gc.mark.MarkSet;
import io.berth.gc.mark.RepositoryMarker;
import io.berth.gc.mark.RepositoryPlan;
import io.berth.gc.sweep.BlobCandidates;
import io.berth.gc.sweep.DeletionFence;
import io.berth.gc.sweep.Deletions;
import io.berth.gc.sweep.RepositorySweeper;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Mark and sweep over a whole store, safe while a registry keeps serving and taking pushes.
 *
 * <ol>
 * <li>Mark: the top-level directories of {@code repositories/} are walked in parallel (every
 *     repository lies under its first name component); each repository is marked by
 *     {@link RepositoryMarker} on a worker as soon as its files are complete, its blobs are added
 *     to the store-wide {@link MarkSet}, and its own garbage (revisions, tag-index entries,
 *     layer links, stale uploads) is deleted there and then, after its {@code _manifests} is
 *     listed once more and the repository re-planned if a revision or tag changed.</li>
 * <li>Blobs: the 256 fan-out directories of {@code blobs/} are walked in parallel (listed, where a
 *     walk stats every file, and only unmarked blobs stat'ed); a blob neither
 *     marked nor younger than the grace period becomes a candidate (spilled to a temporary file).</li>
 * <li>Re-check: {@code repositories/} is walked again (its layer links, revisions and tags'
 *     current links: what a push changes) and every repository with a file younger
 *     than the grace cutoff is marked again, so a manifest pushed, a tag moved or a layer
 *     mounted while the mark ran protects its blobs.</li>
 * <li>Sweep: each candidate still unmarked is stat'ed again and deleted only if it is unchanged.</li>
 * </ol>
 *
 * What remains is the window between the re-check's look at a repository and a candidate's
 * deletion: content that had been unreferenced for longer than the grace period and is linked
 * again (a mount, or an upload of identical bytes, which leaves the old blob file in place) within
 * those seconds. Closing it needs a lock shared with the registry, which online gc can provide;
 * this class takes no registry state, only a driver, so online gc can reuse it.
 */
public final class GarbageCollector {
    private static final int MAX_WALKERS = 16;
    /** Blobs per {@link StorageDriver#deleteEntries} call: S3's DeleteObjects limit. */
    private static final int BLOB_BATCH = 1000;
    /** At most this many blob candidates are re-checked by a fresh listing (see relisted). */
    private static final int RELIST_MAX = 200_000;

    private final StorageDriver driver;
    private final GcOptions options;
    private GcListener listener = GcListener.NONE;
    private Clock clock = Clock.systemUTC();
    private boolean quiet = true;
    private String storageDescription;

    public GarbageCollector(StorageDriver driver, GcOptions options) {
        this.driver = driver;
        this.options = options;
        this.storageDescription = driver.name();
    }

    public GarbageCollector listener(GcListener l) {
        this.listener = l;
        return this;
    }

    public GarbageCollector clock(Clock c) {
        this.clock = c;
        return this;
    }

    /** Progress bars on stderr (off by default, for embedding). */
    public GarbageCollector progress(boolean show) {
        this.quiet = !show;
        return this;
    }

    public GarbageCollector describedAs(String storage) {
        this.storageDescription = storage;
        return this;
    }

    /**
     * Runs once. Deletion failures are in the report ({@link GcReport#failed()}); an
     * {@link IOException} means the store could not be read completely and nothing store-wide
     * (no blob) was deleted.
     */
    public GcReport run() throws IOException {
        long t0 = System.nanoTime();
        try (GcLease lease = options.dryRun() ? null : GcLease.acquire(driver, clock)) {
            return run(lease == null ? DeletionFence.NONE : lease, t0);
        }
    }

    private GcReport run(DeletionFence fence, long t0) throws IOException {
        checkLayoutRoots();
        Run r = new Run(clock.instant(), fence);
        ExecutorService walkPool = Workers.pool("gc-walk", Math.max(1, Math.min(options.workers(), MAX_WALKERS)));
        ExecutorService workPool = Workers.pool("gc", options.workers());
        try (BlobCandidates candidates = new BlobCandidates()) {
            r.walks = new BoundedTasks(walkPool, Math.max(1, Math.min(options.workers(), MAX_WALKERS)));
            r.work = new BoundedTasks(workPool, options.workers() * 2);
            r.timed("mark", r::mark);
            r.timed("blobs", () -> r.scanBlobs(candidates));
            r.timed("recheck", r::recheck);
            r.timed("sweep blobs", () -> r.sweepBlobs(candidates));
        } finally {
            walkPool.shutdownNow();
            workPool.shutdownNow();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return r.report(ms);
    }

    /**
     * With {@code repositories/} gone (or a file) every blob looks unused: a damaged or half-copied
     * store, not one to collect (distribution's gc stops there too). Every blob is uploaded under a
     * repository, so blobs without one are never a state a registry passes through. (The reverse is:
     * repositories with uploads and no blob yet; and without {@code blobs/} every manifest is
     * unreadable, which keeps each repository that has one whole.)
     */
    private void checkLayoutRoots() throws IOException {
        if (!isDirectory(PathLayout.REPOSITORIES) && hasEntries(PathLayout.BLOBS)) {
            throw new IOException(PathLayout.REPOSITORIES + " is missing or not a directory while blobs exist:"
                    + " every blob would look unused; check the store (berth verify) and restore it");
        }
    }

    private boolean isDirectory(String path) throws IOException {
        try {
            return driver.stat(path).isDirectory();
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    private boolean hasEntries(String path) throws IOException {
        try {
            return driver.stat(path) != null; // a file where the directory belongs counts as content
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    /** The state of one run. */
    private final class Run {
        final Instant start;
        final Instant cutoff;
        final Deletions out;
        final MarkSet marks = new MarkSet();
        final StoreWalker walker = StoreWalker.withUnstatedLayerLinks(driver);
        final RepositoryMarker marker;
        final RepositorySweeper sweeper;
        final DeletionFence fence;
        final AtomicLong repositories = new AtomicLong();
        /** Repositories the walk found files off the layout in, under {@code _manifests}, and why. */
        final Map<RepositoryName, List<String>> walkDoubts = new ConcurrentHashMap<>();
        /** Files where a repository's revisions directory belongs: its manifests cannot be named. */
        final Set<String> hiddenRevisions = ConcurrentHashMap.newKeySet();
        final AtomicLong blobsScanned = new AtomicLong();
        final Map<String, Long> phaseMillis = new LinkedHashMap<>();
        BoundedTasks walks;
        BoundedTasks work;

        Run(Instant start, DeletionFence fence) {
            this.start = start;
            this.fence = fence;
            this.cutoff = start.minus(options.gracePeriod());
            this.out = new Deletions(options.dryRun(), listener);
            this.marker = new RepositoryMarker(driver, options.deleteUntagged(), cutoff,
                    start.minus(options.uploadMaxAge()));
            this.sweeper = new RepositorySweeper(driver, out, cutoff, options.dryRun(), fence);
        }

        void timed(String phase, BoundedTasks.IoTask task) throws IOException {
            long t0 = System.nanoTime();
            task.run();
            phaseMillis.put(phase, (System.nanoTime() - t0) / 1_000_000);
        }

        void mark() throws IOException {
            listener.phase("mark");
            try (Progress p = Progress.start("gc: mark", "repositories", quiet)) {
                forEachRepository(false, e -> {
                    markAndSweep(e);
                    repositories.incrementAndGet();
                    p.step(1);
                });
            }
        }

        private void markAndSweep(RepositoryEntries e) throws IOException {
            RepositoryPlan plan = marker.plan(e, doubts(e));
            addMarks(plan);
            boolean prune = options.pruneEmptyRepositories();
            if (options.dryRun()) {
                sweeper.sweep(plan);
                if (prune && plan.emptyAfter()) {
                    out.removed(GcListener.Kind.REPOSITORY, e.name().value(), e.name().value(), 0);
                }
                return;
            }
            if (!plan.deletesAnything() && !(prune && plan.emptyAfter())) {
                return;
            }
            // A new revision or a tag moved changes what is reachable: re-plan. Layer links, uploads
            // and tag index entries need no second look here (a new one is young, hence kept, and
            // the sweeper re-checks each file), so on a filesystem the second look skips them and
            // the sweeper stats each file; where walking is cheap (object stores) the whole
            // repository is listed again and the sweeper checks against that listing.
            // The look and the sweeper's re-checks must come after the fence (which holds the first
            // deletion until caching registries have seen this gc): pushes made while it waited
            // would otherwise be missed, and links they reference deleted.
            fence.await();
            boolean listing = driver.walksCheaply();
            RepositoryEntries now = listing ? walker.walkRepository(e.name()) : walker.walkManifestRoots(e.name());
            if (!now.revisions().equals(e.revisions()) || !currentLinks(now).equals(currentLinks(e))) {
                plan = marker.plan(listing ? now : walker.walkRepository(e.name()), doubts(e));
                addMarks(plan);
            }
            sweeper.sweep(plan, listing ? now : null);
            if (prune && plan.emptyAfter()) {
                sweeper.prune(walker.walkRepository(e.name()));
            }
        }

        private void addMarks(RepositoryPlan plan) {
            for (Digest d : plan.marked()) {
                marks.add(d);
            }
            for (String n : plan.notes()) {
                out.note(plan.entries().name() + ": " + n);
            }
        }

        void scanBlobs(BlobCandidates candidates) throws IOException {
            listener.phase("blobs");
            try (Progress p = Progress.start("gc: blobs", "blobs", quiet)) {
                for (String dir : blobDirs()) {
                    if (driver.walksCheaply()) {
                        walks.submit(() -> walker.walkBlobs(dir, new StoreWalker.Visitor() {
                            @Override
                            public void blob(Digest digest, FileInfo info) throws IOException {
                                p.step(1);
                                consider(digest, info, candidates);
                            }
                        }));
                    } else {
                        walks.submit(() -> listBlobs(dir, p, candidates));
                    }
                }
                walks.await();
            }
        }

        /**
         * One fan-out directory where a walk stats every file (a filesystem): its listing names
         * the blobs, and only the unmarked ones, the few that may go, are stat'ed. On the
         * 100,000-blob bench store that is 12,000 stats instead of 98,000.
         */
        private void listBlobs(String dir, Progress p, BlobCandidates candidates) throws IOException {
            for (String entry : children(dir)) {
                p.step(1);
                Digest digest = PathLayout.digestOfBlobData(entry + "/data").orElse(null);
                if (digest == null) {
                    continue; // not a blob directory; verify reports such files
                }
                if (marks.contains(digest)) {
                    blobsScanned.incrementAndGet();
                    continue;
                }
                try {
                    consider(digest, driver.statFile(PathLayout.blobData(digest)), candidates);
                } catch (PathNotFoundException e) {
                    // a directory without its data file (deleted meanwhile, or never completed)
                }
            }
        }

        private void consider(Digest digest, FileInfo info, BlobCandidates candidates) throws IOException {
            blobsScanned.incrementAndGet();
            if (!marks.contains(digest) && info.modTime().isBefore(cutoff)) {
                candidates.add(digest, info.size(), info.modTime());
            }
        }

        /**
         * A file of the repository is younger than {@code t}. Layer links the walk did not stat
         * are stat'ed only when their blob is unmarked: a young link to a marked blob protects
         * nothing more.
         */
        private boolean changedSince(RepositoryEntries e, Instant t) throws IOException {
            List<FileInfo> files = new ArrayList<>(e.revisions().values());
            for (RepositoryEntries.TagEntries te : e.tags().values()) {
                if (te.hasCurrent()) {
                    files.add(te.current());
                }
                files.addAll(te.index().values());
            }
            if (files.stream().anyMatch(f -> !f.modTime().isBefore(t))) {
                return true;
            }
            for (Map.Entry<Digest, FileInfo> l : e.layers().entrySet()) {
                if (!l.getValue().isStated() && marks.contains(l.getKey())) {
                    continue;
                }
                FileInfo f = RepositoryMarker.stated(driver, l.getValue());
                if (f != null && !f.modTime().isBefore(t)) {
                    return true;
                }
            }
            return false;
        }

        /** Marks again every repository that changed within the grace period, mark phase included. */
        void recheck() throws IOException {
            listener.phase("recheck");
            fence.await(); // as for the second look: re-check only once deletions may begin (a dry run has none)
            try (Progress p = Progress.start("gc: re-check", "repositories", quiet)) {
                forEachRepository(true, e -> {
                    p.step(1);
                    if (changedSince(e, cutoff)) {
                        addMarks(marker.plan(e, doubts(e)));
                    }
                });
            }
        }

        void sweepBlobs(BlobCandidates candidates) throws IOException {
            listener.phase("sweep blobs");
            if (!hiddenRevisions.isEmpty()) {
                out.note("no blob deleted: the revisions of some repository could not be listed ("
                        + String.join(", ", new java.util.TreeSet<>(hiddenRevisions))
                        + " is not a directory), so any unlinked blob may be one of its manifests");
                return;
            }
            try (Progress p = Progress.start("gc: delete blobs", "blobs", quiet)) {
                p.maxHint(candidates.count());
                BlobBatch batch = new BlobBatch(p, relisted(candidates));
                candidates.forEach(c -> {
                    if (marks.contains(c.digest())) {
                        p.step(1);
                        return;
                    }
                    work.submit(() -> batch.recheckAndAdd(c));
                });
                work.await();
                batch.flush();
            }
        }

        /**
         * Where walking is cheap and a stat per candidate would cost more requests than listing
         * the blob store again (a listing page holds 1000 blobs), the candidates as that fresh
         * walk finds them (absent: gone); else null, and each candidate is stat'ed. Bounded by
         * {@value #RELIST_MAX} candidates, which are held in memory.
         */
        private Map<Digest, FileInfo> relisted(BlobCandidates candidates) throws IOException {
            long n = candidates.count();
            if (options.dryRun() || !driver.walksCheaply() || n > RELIST_MAX || n * 1000 <= blobsScanned.get()) {
                return null;
            }
            Set<Digest> wanted = new HashSet<>();
            candidates.forEach(c -> wanted.add(c.digest()));
            Map<Digest, FileInfo> found = new ConcurrentHashMap<>();
            for (String dir : blobDirs()) {
                walks.submit(() -> walker.walkBlobs(dir, new StoreWalker.Visitor() {
                    @Override
                    public void blob(Digest digest, FileInfo info) {
                        if (wanted.contains(digest)) {
                            found.put(digest, info);
                        }
                    }
                }));
            }
            walks.await();
            return found;
        }

        /**
         * Blobs whose re-check passed, deleted {@value #BLOB_BATCH} at a time through {@link
         * StorageDriver#deleteEntries} (one S3 DeleteObjects each) and reported once deleted.
         */
        private final class BlobBatch {
            private final Progress progress;
            private final Map<Digest, FileInfo> relisted;
            private List<BlobCandidates.Candidate> pending = new ArrayList<>();

            BlobBatch(Progress progress, Map<Digest, FileInfo> relisted) {
                this.progress = progress;
                this.relisted = relisted;
            }

            void recheckAndAdd(BlobCandidates.Candidate c) {
                if (!options.dryRun()) {
                    String data = PathLayout.blobData(c.digest());
                    try {
                        FileInfo now = relisted == null ? driver.statFile(data) : relisted.get(c.digest());
                        if (now == null) {
                            throw new PathNotFoundException(data);
                        }
                        FileInfo seen = new FileInfo(now.path(), c.size(), c.modTime(), false);
                        if (!RepositorySweeper.unchanged(seen, now, cutoff) || marks.contains(c.digest())) {
                            progress.step(1);
                            return;
                        }
                    } catch (PathNotFoundException gone) {
                        progress.step(1);
                        return;
                    } catch (IOException e) {
                        out.failed(PathLayout.blobDir(c.digest()), e);
                        progress.step(1);
                        return;
                    }
                }
                List<BlobCandidates.Candidate> full = null;
                synchronized (this) {
                    pending.add(c);
                    if (pending.size() >= BLOB_BATCH) {
                        full = pending;
                        pending = new ArrayList<>();
                    }
                }
                if (full != null) {
                    delete(full);
                }
            }

            void flush() {
                List<BlobCandidates.Candidate> rest;
                synchronized (this) {
                    rest = pending;
                    pending = new ArrayList<>();
                }
                delete(rest);
            }

            private void delete(List<BlobCandidates.Candidate> blobs) {
                if (blobs.isEmpty()) {
                    return;
                }
                if (!options.dryRun()) {
                    List<String> files = new ArrayList<>(blobs.size());
                    for (BlobCandidates.Candidate c : blobs) {
                        files.add(PathLayout.blobData(c.digest()));
                    }
                    try {
                        fence.await();
                        driver.deleteEntries(files);
                    } catch (IOException e) {
                        for (BlobCandidates.Candidate c : blobs) {
                            out.failed(PathLayout.blobDir(c.digest()), e);
                        }
                        progress.step(blobs.size());
                        return;
                    }
                }
                for (BlobCandidates.Candidate c : blobs) {
                    out.removed(GcListener.Kind.BLOB, null, c.digest().toString(), c.size());
                }
                progress.step(blobs.size());
            }
        }

        /** {@code references}: only the files that say what it references (see {@link StoreWalker#walkRepositoryReferences}). */
        private void forEachRepository(boolean references, BoundedTasks.ItemTask<RepositoryEntries> each)
                throws IOException {
            StoreWalker.Visitor v = new StoreWalker.Visitor() {
                @Override
                public void repository(RepositoryEntries e) throws IOException {
                    work.submit(() -> each.accept(e));
                }

                @Override
                public void unrecognised(FileInfo info) throws IOException {
                    offLayout(info);
                }
            };
            for (String top : children(PathLayout.REPOSITORIES)) {
                if (references) {
                    walks.submit(() -> walker.walkRepositoryReferences(top, v));
                } else {
                    walks.submit(() -> walker.walkRepositories(top, v));
                }
            }
            walks.await();
            work.await();
        }

        private List<String> doubts(RepositoryEntries e) {
            return walkDoubts.getOrDefault(e.name(), List.of());
        }

        /**
         * A file under {@code repositories/} the layout does not name. A {@code link} there (under a
         * repository or tag name that is not valid, a digest directory in upper case) keeps what it
         * holds; anything under a valid repository's {@code _manifests} (a file where a directory
         * belongs) leaves its tags or revisions unknown, so that repository is kept whole. The walk
         * reports a repository's files before the repository itself, so the doubt is in time.
         */
        private void offLayout(FileInfo info) throws IOException {
            String path = info.path();
            if (path.endsWith("/link") && !info.isDirectory()) {
                try {
                    Digest d = PathLayout.parseLink(driver.getContent(path));
                    marks.add(d);
                    out.note(path + " is off the layout; kept what it names, " + d);
                } catch (PathNotFoundException | IllegalArgumentException | InvalidPathException ignored) {
                    // gone, names nothing, or a path the driver will not read (a tag name with a
                    // space): under a valid repository, the doubt below keeps that repository whole
                }
            }
            String prefix = PathLayout.REPOSITORIES + "/";
            int at = path.indexOf("/_manifests");
            if (path.startsWith(prefix) && at > prefix.length()) {
                try {
                    RepositoryName name = RepositoryName.of(path.substring(prefix.length(), at));
                    walkDoubts.computeIfAbsent(name, k -> Collections.synchronizedList(new ArrayList<>()))
                            .add(path + " is off the layout");
                    if (!info.isDirectory() && path.substring(at).matches("/_manifests(/revisions(/[^/]+)?)?")) {
                        hiddenRevisions.add(path);
                    }
                } catch (InvalidNameException notARepository) {
                    // its links, if any, were kept above
                }
            }
        }

        private List<String> blobDirs() throws IOException {
            List<String> out = new ArrayList<>();
            for (String alg : children(PathLayout.BLOBS)) {
                out.addAll(children(alg));
            }
            return out;
        }

        private List<String> children(String dir) throws IOException {
            try {
                return driver.list(dir);
            } catch (PathNotFoundException e) {
                return List.of();
            }
        }

        GcReport report(long ms) {
            var repos = out.repositories();
            long manifests = 0;
            long tagIndex = 0;
            long layers = 0;
            long uploads = 0;
            long pruned = 0;
            long bytes = out.blobBytes();
            for (GcReport.RepositoryResult rr : repos.values()) {
                manifests += rr.manifests().size();
                tagIndex += rr.tagIndexEntries().size();
                layers += rr.layerLinks().size();
                uploads += rr.uploads().size();
                pruned += rr.pruned() ? 1 : 0;
                bytes += rr.bytesFreed();
            }
            List<GcReport.BlobResult> blobs = out.blobs();
            GcReport.Totals totals = new GcReport.Totals(repositories.get(), manifests, tagIndex, layers, uploads,
                    pruned, blobsScanned.get(), marks.size(), blobs.size(), bytes, marks.memoryBytes());
            GcReport.Options o = new GcReport.Options(options.deleteUntagged(), text(options.uploadMaxAge()),
                    text(options.gracePeriod()), options.pruneEmptyRepositories(), options.workers());
            return new GcReport(options.dryRun(), storageDescription, start, ms,
                    Collections.unmodifiableMap(new LinkedHashMap<>(phaseMillis)), o, repos, blobs, totals,
                    out.failures(), out.notes());
        }
    }

    private static Map<Tag, FileInfo> currentLinks(RepositoryEntries e) {
        Map<Tag, FileInfo> out = new HashMap<>();
        e.tags().forEach((tag, te) -> {
            if (te.hasCurrent()) {
                out.put(tag, te.current());
            }
        });
        return out;
    }

    private static String text(Duration d) {
        return d.toString();
    }
}
