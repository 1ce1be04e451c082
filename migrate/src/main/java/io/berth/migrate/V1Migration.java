package io.berth.migrate;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.reference.Reference;
import io.berth.core.reference.RepositoryName;
import io.berth.core.reference.Tag;
import io.berth.core.registry.BlobInfo;
import io.berth.core.registry.Registry;
import io.berth.core.registry.Repository;
import io.berth.core.storage.FileWriter;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.gc.job.Progress;
import io.berth.gc.job.Workers;
import io.berth.migrate.MigrationReport.LayerResult;
import io.berth.migrate.MigrationReport.TagResult;
import io.berth.migrate.MigrationReport.TagStatus;
import io.berth.migrate.v1.Anomaly;
import io.berth.migrate.v1.ConvertedLayer;
import io.berth.migrate.v1.LayerConverter;
import io.berth.migrate.v1.LayerException;
import io.berth.migrate.v1.V1Image;
import io.berth.migrate.v1.V1Plan;
import io.berth.migrate.v1.V1Plan.PlannedTag;
import io.berth.migrate.v1.V1Scanner;
import io.berth.migrate.v1.V1Store;
import io.berth.migrate.v1.V2Image;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * V1 → V2 (spec §10): plan from the V1 metadata, convert every layer the tags need once (in
 * parallel, each verified before its blob is committed by a move out of {@code _uploads}), then
 * write each tag: layer and config links, config blob, manifest and revision, and the tag last.
 * Every result is checkpointed in the job state, so a killed run resumes where it stopped and a
 * finished one re-run changes nothing.
 */
public final class V1Migration {

    public record Options(int workers, boolean dryRun, RepositoryGlob repositories, V2Image.Format format,
                          boolean lowercaseNames, boolean keepLibraryPrefix, V2Image.EmptyLayers emptyLayers,
                          boolean quiet) {
    }

    private final StorageDriver source;
    private final StorageDriver destination;
    private final String sourceName;
    private final String destinationName;
    private final Options options;
    private final V1Store store;
    private final List<Anomaly> anomalies = Collections.synchronizedList(new ArrayList<>());

    public V1Migration(StorageDriver source, String sourceName, StorageDriver destination, String destinationName,
                       Options options) {
        this.source = source;
        this.destination = destination;
        this.sourceName = sourceName;
        this.destinationName = destinationName;
        this.options = options;
        this.store = new V1Store(source);
    }

    /** Plans, and unless dry-run migrates; {@code state} may be null only for a dry run. */
    public MigrationReport run(JobState state) throws IOException {
        Instant started = Instant.now();
        int workers = options.workers() > 0 ? options.workers() : defaultWorkers();
        ExecutorService pool = Workers.pool("migrate", workers);
        try {
            V1Plan plan;
            try (Progress p = Progress.start("scan V1 store", "repositories", options.quiet())) {
                plan = new V1Scanner(store, new V1Scanner.NameOptions(options.lowercaseNames(), options.keepLibraryPrefix()),
                        (v1, v2) -> options.repositories().matches(v1, v2), !options.repositories().isEmpty()).scan(pool);
                p.step(plan.repositories());
            }
            anomalies.addAll(plan.anomalies());
            if (options.dryRun()) {
                return report(plan, started, Map.of(), List.of(), 0);
            }
            return migrate(plan, state, pool, started);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The cloud drivers' default; on a filesystem two per core, since each worker spends part of
     * every layer waiting for its fsync, and the other can hash and inflate meanwhile.
     */
    private int defaultWorkers() {
        String driver = destination == null ? source.name() : destination.name();
        int n = Workers.defaultFor(driver);
        return "filesystem".equals(driver) ? 2 * n : n;
    }

    private MigrationReport migrate(V1Plan plan, JobState state, ExecutorService pool, Instant started)
            throws IOException {
        state.bind("source", sourceName);
        state.bind("destination", destinationName);
        state.bind("format", options.format().name() + "/" + options.emptyLayers().name()
                + (options.lowercaseNames() ? "/lowercase" : "") + (options.keepLibraryPrefix() ? "/keep-library" : ""));
        Registry registry = new Registry(destination);
        for (String dir : state.stagingPaths()) { // left by a killed run
            try {
                destination.delete(dir);
            } catch (PathNotFoundException e) {
                // already gone
            }
            state.staging(dir, false);
        }
        Map<String, TagResult> results = new TreeMap<>();
        List<PlannedTag> todo = new ArrayList<>();
        for (PlannedTag t : plan.tags()) {
            if (!t.migratable()) {
                continue;
            }
            Optional<JobState.TagDone> done = state.tag(t.repository(), t.tag());
            if (done.isPresent() && done.get().imageId().equals(t.imageId()) && stillThere(registry, t, done.get().manifest())) {
                results.put(key(t), result(t, TagStatus.UNCHANGED, done.get().manifest().toString(), null));
            } else {
                todo.add(t);
            }
        }
        // each V1 image once, staged in the first repository that needs it
        Map<String, String> firstRepo = new LinkedHashMap<>();
        for (PlannedTag t : todo) {
            for (String id : t.chain()) {
                firstRepo.putIfAbsent(id, t.repository());
            }
        }
        long total = firstRepo.keySet().stream().mapToLong(id -> Math.max(0, plan.images().get(id).layerSize())).sum();
        Map<String, ConvertedLayer> layers = new ConcurrentHashMap<>();
        Map<String, LayerException> bad = new ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicLong read = new java.util.concurrent.atomic.AtomicLong();
        long t0 = System.nanoTime();
        double seconds;
        // a tag is written as soon as its chain's layers are: the small, fsync-bound writes of the
        // tags overlap the conversion of the layers still to come
        List<CompletableFuture<TagResult>> tagWrites = new ArrayList<>();
        try (Progress p = Progress.start("migrate layers", "bytes", options.quiet())) {
            p.maxHint(total);
            Map<String, CompletableFuture<Void>> converted = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : firstRepo.entrySet()) {
                converted.put(e.getKey(), CompletableFuture.runAsync(() -> {
                    V1Image img = plan.images().get(e.getKey());
                    try {
                        layers.put(img.id(), layer(registry, state, img, e.getValue(), p, read));
                    } catch (LayerException le) {
                        bad.put(img.id(), le);
                    } catch (IOException io) {
                        throw new UncheckedIOException(io);
                    }
                }, pool));
            }
            for (PlannedTag t : todo) {
                CompletableFuture<?>[] chain = t.chain().stream().map(converted::get).toArray(CompletableFuture[]::new);
                tagWrites.add(CompletableFuture.allOf(chain).thenApplyAsync(x -> {
                    try {
                        return writeTag(registry, state, plan, t, layers, bad);
                    } catch (IOException io) {
                        throw new UncheckedIOException(io);
                    }
                }, pool));
            }
            for (CompletableFuture<Void> f : converted.values()) {
                await(f);
            }
            seconds = (System.nanoTime() - t0) / 1e9;
        }
        long bytesRead = read.get();
        List<LayerResult> layerResults = new ArrayList<>();
        try (Progress p = Progress.start("migrate tags", "tags", options.quiet())) {
            p.maxHint(todo.size());
            for (CompletableFuture<TagResult> f : tagWrites) {
                TagResult r = await(f);
                results.put(r.v1Repository() + ":" + r.tag(), r);
                p.step(1);
            }
        }
        Map<String, Boolean> warned = new ConcurrentHashMap<>();
        for (PlannedTag t : todo) {
            for (String id : t.chain()) {
                ConvertedLayer l = layers.get(id);
                if (l != null && warned.putIfAbsent(id, true) == null) {
                    for (Anomaly.Kind w : l.warnings()) {
                        anomalies.add(Anomaly.of(w, t.v1Repository(), t.tag(), id, w == Anomaly.Kind.CHECKSUM_MISSING
                                ? "no _checksum: checked by decompressing the whole layer and parsing its tar"
                                : "_checksum holds neither a sha256 payload nor a tarsum Berth knows: checked by decompressing"
                                + " the whole layer and parsing its tar"));
                    }
                }
            }
        }
        layers.values().stream().sorted((a, b) -> a.v1Id().compareTo(b.v1Id())).forEach(l -> layerResults.add(
                new LayerResult(l.v1Id(), l.digest().toString(), l.size(), l.diffId().toString(), l.storedAs().id(), l.empty())));
        MigrationReport r = report(plan, started, results, layerResults, bytesRead);
        return withRate(r, seconds);
    }

    /** The converted layer: from the job state when its blob is already in the destination, else converted now. */
    private ConvertedLayer layer(Registry registry, JobState state, V1Image img, String repository, Progress progress,
                                 java.util.concurrent.atomic.AtomicLong read) throws IOException, LayerException {
        Optional<ConvertedLayer> recorded = state.layer(img.id());
        if (recorded.isPresent()) {
            Optional<BlobInfo> blob = registry.blobs().stat(recorded.get().digest());
            if (blob.isPresent() && blob.get().size() == recorded.get().size()) {
                progress.step(Math.max(0, img.layerSize()));
                return recorded.get();
            }
        }
        // staged as an upload's data, with no startedat: UploadStore.start would fsync two files per
        // layer for a client that never comes; gc, verify and distribution purge it like an upload
        RepositoryName repo = RepositoryName.of(repository);
        String uuid = UUID.randomUUID().toString();
        String dir = PathLayout.uploadDir(repo, uuid);
        String data = PathLayout.uploadData(repo, uuid);
        state.staging(dir, true); // before anything is written: a killed run's leftovers are found
        ConvertedLayer converted;
        try {
            try (FileWriter w = destination.writer(data, false)) {
                try {
                    converted = new LayerConverter(store).convert(img, w, n -> {
                        progress.step(n);
                        read.addAndGet(n);
                    });
                    w.commit();
                } catch (IOException | LayerException | RuntimeException e) {
                    w.cancel();
                    throw e;
                }
            }
            if (recorded.isPresent() && !recorded.get().digest().equals(converted.digest())) {
                throw new IOException("V1 image " + img.id() + " converted to " + converted.digest()
                        + " but an earlier run recorded " + recorded.get().digest() + " (whose blob is gone)");
            }
            registry.blobs().commitUpload(data, converted.digest());
        } finally {
            try {
                destination.delete(dir);
            } catch (PathNotFoundException e) {
                // the data was moved and nothing else was written
            }
            state.staging(dir, false);
        }
        state.recordLayer(converted);
        return converted;
    }

    private TagResult writeTag(Registry registry, JobState state, V1Plan plan, PlannedTag t,
                               Map<String, ConvertedLayer> layers, Map<String, LayerException> bad) throws IOException {
        List<V1Image> chain = new ArrayList<>();
        List<ConvertedLayer> converted = new ArrayList<>();
        for (String id : t.chain()) {
            LayerException le = bad.get(id);
            if (le != null) {
                anomalies.add(Anomaly.of(le.kind(), t.v1Repository(), t.tag(), id, le.getMessage()));
                return result(t, TagStatus.SKIPPED, null, le.kind().id() + " in image " + id);
            }
            chain.add(plan.images().get(id));
            converted.add(layers.get(id));
        }
        V2Image.Built built = V2Image.build(chain, converted, options.format(), options.emptyLayers());
        Repository repo = registry.repository(RepositoryName.of(t.repository()));
        for (Digest d : built.layers()) {
            repo.linkBlob(d);
        }
        registry.blobs().putVerified(built.configDigest(), built.config());
        repo.linkBlob(built.configDigest());
        // content, revision link, then the tag (index, current): a tag never points at an incomplete manifest
        repo.manifests().put(built.manifest(), options.format().manifestType, new Reference.ByTag(Tag.of(t.tag())), List.of());
        state.recordTag(t.repository(), t.tag(), t.imageId(), built.manifestDigest());
        return result(t, TagStatus.MIGRATED, built.manifestDigest().toString(), null);
    }

    private static boolean stillThere(Registry registry, PlannedTag t, Digest manifest) throws IOException {
        Repository repo = registry.repository(RepositoryName.of(t.repository()));
        return repo.tags().resolve(Tag.of(t.tag())).filter(manifest::equals).isPresent()
                && repo.manifests().exists(manifest) && registry.blobs().stat(manifest).isPresent();
    }

    private MigrationReport report(V1Plan plan, Instant started, Map<String, TagResult> done,
                                   List<LayerResult> layers, long bytesRead) {
        List<TagResult> tags = new ArrayList<>();
        for (PlannedTag t : plan.tags()) {
            TagResult r = done.get(key(t));
            if (r == null) {
                r = t.migratable() ? result(t, TagStatus.PLANNED, null, null)
                        : result(t, TagStatus.SKIPPED, null, t.skipped().id());
            }
            tags.add(r);
        }
        List<Anomaly> all = new ArrayList<>(anomalies);
        all.sort((a, b) -> (a.severity() + String.valueOf(a.repository()) + a.tag() + a.imageId() + a.kind())
                .compareTo(b.severity() + String.valueOf(b.repository()) + b.tag() + b.imageId() + b.kind()));
        int migrated = (int) tags.stream().filter(r -> r.status() == TagStatus.MIGRATED).count();
        int unchanged = (int) tags.stream().filter(r -> r.status() == TagStatus.UNCHANGED).count();
        int skipped = (int) tags.stream().filter(r -> r.status() == TagStatus.SKIPPED).count();
        MigrationReport.Summary s = new MigrationReport.Summary(plan.repositories(), tags.size(), migrated, unchanged,
                skipped, plan.distinctImages(), plan.layerBytes(), bytesRead, 0, 0,
                (int) all.stream().filter(a -> a.severity() == Anomaly.Severity.E).count(),
                (int) all.stream().filter(a -> a.severity() == Anomaly.Severity.W).count());
        return new MigrationReport(sourceName, destinationName, "v1", options.dryRun(),
                options.format().name().toLowerCase(java.util.Locale.ROOT),
                options.emptyLayers() == V2Image.EmptyLayers.KEEP ? "keep (docker-compatible)" : "drop (compact)",
                started, Instant.now(), s, tags, layers, all);
    }

    private static MigrationReport withRate(MigrationReport r, double seconds) {
        MigrationReport.Summary s = r.summary();
        double mbps = seconds > 0 ? s.bytesRead() / 1e6 / seconds : 0;
        MigrationReport.Summary s2 = new MigrationReport.Summary(s.repositories(), s.tags(), s.tagsMigrated(),
                s.tagsUnchanged(), s.tagsSkipped(), s.images(), s.bytes(), s.bytesRead(),
                Math.round(seconds * 1000) / 1000.0, Math.round(mbps * 10) / 10.0, s.errors(), s.warnings());
        return new MigrationReport(r.source(), r.destination(), r.sourceFormat(), r.dryRun(), r.manifestFormat(),
                r.emptyLayers(), r.started(), r.finished(), s2, r.tags(), r.layers(), r.anomalies());
    }

    private static String key(PlannedTag t) {
        return t.v1Repository() + ":" + t.tag();
    }

    private static TagResult result(PlannedTag t, TagStatus status, String manifest, String reason) {
        return new TagResult(t.v1Repository(), t.repository(), t.tag(), t.imageId(), status, manifest, reason);
    }

    private static <T> T await(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e.getCause());
        }
    }

    static Duration elapsed(Instant from) {
        return Duration.between(from, Instant.now());
    }
}
