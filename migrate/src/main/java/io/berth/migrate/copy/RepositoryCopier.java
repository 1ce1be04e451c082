package io.berth.migrate.copy;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.manifest.Descriptor;
import io.berth.core.manifest.Manifest;
import io.berth.core.reference.RepositoryName;
import io.berth.core.reference.Tag;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.core.walk.RepositoryEntries;
import io.berth.core.walk.RepositoryEntries.TagEntries;
import io.berth.core.walk.RepositoryGraph;
import io.berth.migrate.copy.BlobCopier.Outcome;
import io.berth.migrate.copy.CopyReport.Problem;
import io.berth.migrate.copy.IoTasks.IoTask;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * Copies one repository, in the order that keeps the destination consistent at every moment:
 * blobs, then layer links, then revision links from the leaves up (image manifests before the
 * indexes that list them, subjects before their referrers), then tag index links, then tags'
 * current links. A manifest is linked only when everything it needs is at the destination (its
 * own blob, config and layers, child manifests), and a tag only when its manifest is: a tag never
 * points at something the destination cannot serve. What is already at the destination is left
 * as it is.
 */
final class RepositoryCopier {
    private final StorageDriver source;
    private final StorageDriver destination;
    private final RepositoryEntries src;
    private final RepositoryEntries dst;
    private final RepositoryName name;
    private final BlobCopier blobs;
    private final ExecutorService pool;
    private final boolean dryRun;
    private final Tally tally;

    private final Map<Digest, Manifest> manifests = new HashMap<>();
    private final Map<Digest, Outcome> blobOutcomes = new HashMap<>();
    /** Revision → why it cannot be copied, or absent when it can (after {@link #check}). */
    private final Map<Digest, String> blocked = new HashMap<>();
    private final Set<Digest> checked = new HashSet<>();
    private final Set<Digest> missingReported = new HashSet<>();

    RepositoryCopier(StorageDriver source, StorageDriver destination, RepositoryEntries src, RepositoryEntries dst,
                     BlobCopier blobs, ExecutorService pool, boolean dryRun, Tally tally) {
        this.source = source;
        this.destination = destination;
        this.src = src;
        this.dst = dst;
        this.name = src.name();
        this.blobs = blobs;
        this.pool = pool;
        this.dryRun = dryRun;
        this.tally = tally;
    }

    void run() throws IOException {
        RepositoryGraph graph = RepositoryGraph.load(source, src);
        readManifests(graph);
        copyBlobs();
        writeLayerLinks();
        for (Digest rev : src.revisions().keySet()) {
            String why = check(rev);
            if (why != null && manifests.containsKey(rev)) {
                tally.problem(Problem.Kind.SKIPPED_MANIFEST, name.value(), PathLayout.revisionLink(name, rev), why);
            }
        }
        writeRevisions();
        writeTags(graph);
        mirrorTagDeletions(graph);
    }

    private void readManifests(RepositoryGraph graph) throws IOException {
        for (Digest rev : src.revisions().keySet()) {
            Optional<Manifest> m = graph.manifest(rev);
            if (m.isPresent()) {
                manifests.put(rev, m.get());
            } else {
                String why = graph.unreadable().getOrDefault(rev, "unreadable");
                tally.problem(Problem.Kind.UNREADABLE_MANIFEST, name.value(), PathLayout.blobData(rev), why);
            }
        }
    }

    /** Every blob the repository links or its manifests need, each copied once across the whole run. */
    private void copyBlobs() throws IOException {
        Set<Digest> needed = new LinkedHashSet<>(src.layers().keySet());
        for (Manifest m : manifests.values()) {
            needed.add(m.digest());
            for (Descriptor b : m.blobReferences()) {
                if (!b.isForeign()) {
                    needed.add(b.digest());
                }
            }
        }
        Map<Digest, CompletableFuture<Outcome>> pending = new LinkedHashMap<>();
        for (Digest d : needed) {
            pending.put(d, blobs.copy(d, name));
        }
        for (Map.Entry<Digest, CompletableFuture<Outcome>> e : pending.entrySet()) {
            blobOutcomes.put(e.getKey(), e.getValue().join());
        }
    }

    private void writeLayerLinks() throws IOException {
        List<IoTask> writes = new ArrayList<>();
        for (Digest d : src.layers().keySet()) {
            Outcome o = blobOutcomes.get(d);
            if (o.state() == BlobCopier.State.MISSING) {
                tally.danglingLayerLinks.incrementAndGet();
            } else if (o.available()) {
                if (dst.layers().containsKey(d)) {
                    tally.layerLinksSkipped.incrementAndGet();
                } else {
                    writes.add(link(PathLayout.layerLink(name, d), d, tally.layerLinksCopied::incrementAndGet));
                }
            }
        }
        IoTasks.runAll(pool, writes);
    }

    /**
     * Null when the revision can be linked at the destination, else why not. Child manifests are
     * checked first, recursively; a referrer does not need its subject (OCI allows it to come first).
     */
    private String check(Digest rev) {
        if (checked.contains(rev)) {
            return blocked.get(rev);
        }
        checked.add(rev); // a cycle (impossible with honest digests) then counts as satisfied
        String why = reason(rev);
        if (why != null) {
            blocked.put(rev, why);
        }
        return why;
    }

    private String reason(Digest rev) {
        if (!src.revisions().containsKey(rev)) {
            return "manifest " + rev + " is not in the repository";
        }
        Manifest m = manifests.get(rev);
        if (m == null) {
            return "manifest " + rev + " is unreadable";
        }
        Outcome own = blobOutcomes.get(rev);
        if (!own.available()) {
            return "its blob was not copied: " + own.reason();
        }
        for (Descriptor b : m.blobReferences()) {
            if (b.isForeign()) {
                continue;
            }
            Outcome o = blobOutcomes.get(b.digest());
            if (!o.available()) {
                if (o.state() == BlobCopier.State.MISSING && missingReported.add(b.digest())) {
                    tally.problem(Problem.Kind.MISSING_BLOB, name.value(), PathLayout.blobData(b.digest()),
                            "needed by manifest " + rev);
                }
                return "needs blob " + b.digest() + ", which was not copied: " + o.reason();
            }
        }
        for (Descriptor c : m.manifestReferences()) {
            String why = check(c.digest());
            if (why != null) {
                return "needs child manifest " + c.digest() + ", which was not copied (" + why + ")";
            }
        }
        return null;
    }

    /** Revision links, a level at a time: children before parents, subjects before referrers. */
    private void writeRevisions() throws IOException {
        Map<Digest, Integer> levels = new HashMap<>();
        TreeMap<Integer, List<Digest>> byLevel = new TreeMap<>();
        for (Digest rev : src.revisions().keySet()) {
            if (blocked.containsKey(rev)) {
                continue;
            }
            byLevel.computeIfAbsent(level(rev, levels, new HashSet<>()), k -> new ArrayList<>()).add(rev);
        }
        for (List<Digest> level : byLevel.values()) {
            List<IoTask> writes = new ArrayList<>();
            for (Digest rev : level) {
                if (dst.revisions().containsKey(rev)) {
                    tally.manifestsSkipped.incrementAndGet();
                } else {
                    writes.add(link(PathLayout.revisionLink(name, rev), rev, tally.manifestsCopied::incrementAndGet));
                }
            }
            IoTasks.runAll(pool, writes);
        }
    }

    private int level(Digest rev, Map<Digest, Integer> levels, Set<Digest> visiting) {
        Integer known = levels.get(rev);
        if (known != null) {
            return known;
        }
        int level = 0;
        Manifest m = manifests.get(rev);
        if (m != null && visiting.add(rev)) {
            List<Digest> below = new ArrayList<>();
            m.manifestReferences().forEach(c -> below.add(c.digest()));
            m.subject().ifPresent(s -> below.add(s.digest()));
            for (Digest b : below) {
                if (src.revisions().containsKey(b) && !blocked.containsKey(b)) {
                    level = Math.max(level, level(b, levels, visiting) + 1);
                }
            }
            visiting.remove(rev);
        }
        levels.put(rev, level);
        return level;
    }

    /**
     * Index links of every tag, then current links. A tag whose current manifest was not copied
     * is not written at all (its history alone would list it with nothing behind it); if the
     * destination already has the tag from an earlier pass, it keeps what it had.
     */
    private void writeTags(RepositoryGraph graph) throws IOException {
        Map<Tag, Digest> currents = new TreeMap<>();
        List<IoTask> indexWrites = new ArrayList<>();
        for (TagEntries t : src.tags().values()) {
            Tag tag = t.tag();
            Digest current = graph.tags().get(tag);
            if (graph.brokenTags().containsKey(tag)) {
                tally.problem(Problem.Kind.BROKEN_TAG, name.value(), PathLayout.tagCurrentLink(name, tag),
                        graph.brokenTags().get(tag));
                continue;
            }
            if (current != null) {
                if (!src.revisions().containsKey(current)) {
                    tally.problem(Problem.Kind.DANGLING_TAG, name.value(), PathLayout.tagCurrentLink(name, tag),
                            "points at " + current + ", which the repository does not hold");
                    continue;
                }
                if (blocked.containsKey(current)) {
                    tally.problem(Problem.Kind.SKIPPED_TAG, name.value(), PathLayout.tagCurrentLink(name, tag),
                            "points at " + current + ", which was not copied: " + blocked.get(current));
                    continue;
                }
                currents.put(tag, current);
            }
            TagEntries there = dst.tags().get(tag);
            for (Digest d : t.index().keySet()) {
                // history naming a manifest that could not be copied stays behind with it
                if (blocked.containsKey(d) || (there != null && there.index().containsKey(d))) {
                    continue;
                }
                indexWrites.add(link(PathLayout.tagIndexLink(name, tag, d), d, () -> 0L));
            }
        }
        IoTasks.runAll(pool, indexWrites);

        List<IoTask> currentWrites = new ArrayList<>();
        for (Map.Entry<Tag, Digest> e : currents.entrySet()) {
            Tag tag = e.getKey();
            Digest current = e.getValue();
            TagEntries there = dst.tags().get(tag);
            if (there != null && there.hasCurrent() && current.equals(readLink(PathLayout.tagCurrentLink(name, tag)))) {
                tally.tagsSkipped.incrementAndGet();
            } else {
                currentWrites.add(link(PathLayout.tagCurrentLink(name, tag), current, tally.tagsCopied::incrementAndGet));
            }
        }
        IoTasks.runAll(pool, currentWrites);
    }

    /**
     * Tags deleted at the source since an earlier pass. A destination tag the source no longer
     * has is deleted only when its current manifest is a revision of the source repository: then
     * it is provably a tag the source had (a push made only at the destination would name a
     * manifest the source lacks), and the manifest stays served by digest on both sides. The tag
     * goes as the source lost it: the whole tag directory when the source has none left (a tag
     * delete), the current link only when the source kept the tag's history. Anything else is
     * left alone and listed in {@link CopyReport#tagsKept()}.
     */
    private void mirrorTagDeletions(RepositoryGraph graph) throws IOException {
        List<IoTask> deletes = new ArrayList<>();
        for (TagEntries there : dst.tags().values()) {
            Tag tag = there.tag();
            if (!there.hasCurrent() || graph.tags().containsKey(tag) || graph.brokenTags().containsKey(tag)) {
                continue;
            }
            Digest current = readLink(PathLayout.tagCurrentLink(name, tag));
            if (current == null || !src.revisions().containsKey(current)) {
                tally.tagKept(name.value(), tag.value());
                continue;
            }
            String path = src.tags().containsKey(tag) ? PathLayout.tagCurrentLink(name, tag) : PathLayout.tagDir(name, tag);
            deletes.add(() -> {
                if (!dryRun) {
                    try {
                        destination.delete(path);
                    } catch (PathNotFoundException e) {
                        // deleted meanwhile
                    }
                }
                tally.tagDeleted(name.value(), tag.value());
            });
        }
        IoTasks.runAll(pool, deletes);
    }

    private Digest readLink(String path) throws IOException {
        try {
            return PathLayout.parseLink(destination.getContent(path));
        } catch (PathNotFoundException e) {
            return null;
        } catch (IllegalArgumentException e) {
            return null; // a corrupt link at the destination: rewritten (tags) or kept (deletions)
        }
    }

    private IoTask link(String path, Digest d, java.util.function.LongSupplier counter) {
        return () -> {
            if (!dryRun) {
                destination.putContent(path, PathLayout.linkContent(d));
            }
            counter.getAsLong();
        };
    }
}
