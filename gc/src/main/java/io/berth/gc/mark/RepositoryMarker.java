package io.berth.gc.mark;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.storage.FileInfo;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.core.walk.RepositoryEntries;
import io.berth.core.walk.RepositoryGraph;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Marks one repository: roots are its revisions (only the tagged ones with
 * {@code deleteUntagged}), and whatever they reach through {@link RepositoryGraph} (child
 * manifests of indexes, configs, layers, schema1 fsLayers, referrers) is kept. The children of a
 * kept index are kept whether tagged or not, unlike distribution 2.8, which deletes them.
 *
 * <p>The grace period: a revision younger than {@code cutoff} is a root (its tag may not be
 * written yet), a link younger than {@code cutoff} is never deleted and its target blob is
 * marked (an upload or mount whose manifest has not arrived yet). Layer links the walk did not
 * stat ({@link FileInfo#unstated}) are stat'ed here only when no kept manifest reaches them.
 */
public final class RepositoryMarker {
    private final StorageDriver driver;
    private final boolean deleteUntagged;
    private final Instant cutoff;
    private final Instant uploadCutoff;

    /**
     * @param cutoff       now minus the grace period
     * @param uploadCutoff now minus the upload max age
     */
    public RepositoryMarker(StorageDriver driver, boolean deleteUntagged, Instant cutoff, Instant uploadCutoff) {
        this.driver = driver;
        this.deleteUntagged = deleteUntagged;
        this.cutoff = cutoff;
        this.uploadCutoff = uploadCutoff;
    }

    public RepositoryPlan plan(RepositoryEntries e) throws IOException {
        return plan(e, List.of());
    }

    /**
     * @param walkDoubts why the walk could not read this repository as the layout says (files
     *                   under {@code _manifests} off the layout: a file where a directory belongs,
     *                   an invalid tag name); any doubt keeps the repository whole
     */
    public RepositoryPlan plan(RepositoryEntries e, List<String> walkDoubts) throws IOException {
        RepositoryGraph g = RepositoryGraph.load(driver, e, true);
        List<String> doubts = doubts(e, g, walkDoubts);
        if (!doubts.isEmpty()) {
            return whole(e, g, doubts);
        }
        List<String> notes = new ArrayList<>();
        Set<Digest> roots = new LinkedHashSet<>();
        if (deleteUntagged && g.brokenTags().isEmpty()) {
            roots.addAll(g.taggedRevisions());
            e.revisions().forEach((d, f) -> {
                if (young(f)) {
                    roots.add(d);
                }
            });
        } else {
            if (deleteUntagged) {
                notes.add("tags " + g.brokenTags().keySet() + " have unreadable current links; no manifest deleted");
            }
            roots.addAll(e.revisions().keySet());
        }
        Set<Digest> kept = g.reachableManifests(roots);
        Set<Digest> marked = new HashSet<>(g.blobsOf(kept));
        Set<Digest> local = new HashSet<>(marked);
        g.unreadable().forEach((d, why) -> notes.add("manifest " + d + " kept unread: " + why));

        List<Digest> manifests = new ArrayList<>();
        Map<Digest, List<RepositoryPlan.TagIndexEntry>> tagIndex = new LinkedHashMap<>();
        for (Map.Entry<Digest, FileInfo> r : e.revisions().entrySet()) {
            if (!kept.contains(r.getKey())) {
                manifests.add(r.getKey());
            }
        }
        for (RepositoryEntries.TagEntries t : e.tags().values()) {
            for (Map.Entry<Digest, FileInfo> i : t.index().entrySet()) {
                if (!kept.contains(i.getKey()) && e.revisions().containsKey(i.getKey()) && !young(i.getValue())) {
                    tagIndex.computeIfAbsent(i.getKey(), k -> new ArrayList<>())
                            .add(new RepositoryPlan.TagIndexEntry(t.tag(), i.getKey(), i.getValue()));
                }
            }
        }
        Map<Digest, FileInfo> layers = new LinkedHashMap<>();
        for (Map.Entry<Digest, FileInfo> l : e.layers().entrySet()) {
            Digest d = l.getKey();
            if (local.contains(d)) {
                continue; // kept, and its blob marked, whatever the link's age
            }
            FileInfo f = stated(driver, l.getValue());
            if (f == null) {
                continue; // gone since the walk
            }
            if (young(f)) {
                marked.add(d);
            } else {
                layers.put(d, f);
            }
        }
        Map<String, List<FileInfo>> uploads = new LinkedHashMap<>();
        for (Map.Entry<String, List<FileInfo>> u : e.uploads().entrySet()) {
            if (uploadExpired(e, u.getKey(), u.getValue())) {
                uploads.put(u.getKey(), u.getValue());
            }
        }
        boolean emptyAfter = e.tags().values().stream().noneMatch(RepositoryEntries.TagEntries::hasCurrent)
                && manifests.size() == e.revisions().size()
                && layers.size() == e.layers().size()
                && uploads.size() == e.uploads().size();
        return new RepositoryPlan(e, marked, manifests, tagIndex, layers, uploads, emptyAfter, notes);
    }

    /**
     * What makes this repository's manifests or tags unknowable: then nothing it holds can be shown
     * unused, and deleting on a partial reading lost tagged images (a manifest blob missing or
     * corrupt, so its layers looked unreferenced; a tag naming no revision).
     */
    private List<String> doubts(RepositoryEntries e, RepositoryGraph g, List<String> walkDoubts) throws IOException {
        List<String> doubts = new ArrayList<>(walkDoubts);
        g.referrers(); // reads every revision, so that unreadable() names each one that cannot be read
        g.unreadable().forEach((d, why) -> doubts.add("manifest " + d + " cannot be read: " + why));
        g.tags().forEach((t, d) -> {
            if (!e.revisions().containsKey(d)) {
                doubts.add("tag " + t + " names " + d + ", which is not a manifest of this repository");
            }
        });
        if (deleteUntagged) {
            for (RepositoryEntries.TagEntries t : e.tags().values()) {
                if (!t.hasCurrent() && t.index().values().stream().anyMatch(f -> !young(f))) {
                    doubts.add("tag " + t.tag() + " has index entries but no current link");
                }
            }
        }
        return doubts;
    }

    /** Keeps every manifest, tag and link of the repository, and marks every blob they may need. */
    private RepositoryPlan whole(RepositoryEntries e, RepositoryGraph g, List<String> doubts) throws IOException {
        Set<Digest> roots = new LinkedHashSet<>(e.revisions().keySet());
        roots.addAll(g.tags().values());
        e.tags().values().forEach(t -> roots.addAll(t.index().keySet()));
        Set<Digest> kept = g.reachableManifests(roots);
        Set<Digest> marked = new HashSet<>(g.blobsOf(kept));
        marked.addAll(e.layers().keySet());
        List<String> notes = new ArrayList<>();
        notes.add("nothing deleted in this repository, and every blob it links kept: " + String.join("; ", doubts));
        Map<String, List<FileInfo>> uploads = new LinkedHashMap<>();
        for (Map.Entry<String, List<FileInfo>> u : e.uploads().entrySet()) {
            if (uploadExpired(e, u.getKey(), u.getValue())) {
                uploads.put(u.getKey(), u.getValue());
            }
        }
        return new RepositoryPlan(e, marked, List.of(), Map.of(), Map.of(), uploads, false, notes);
    }

    /** The file as a stat shows it when the walk did not stat it; null if it is gone. */
    public static FileInfo stated(StorageDriver driver, FileInfo f) throws IOException {
        if (f.isStated()) {
            return f;
        }
        try {
            return driver.statFile(f.path());
        } catch (PathNotFoundException gone) {
            return null;
        }
    }

    private boolean young(FileInfo f) {
        return !f.modTime().isBefore(cutoff);
    }

    /** Started before the max age (startedat, else the oldest file) and untouched for the grace period. */
    private boolean uploadExpired(RepositoryEntries e, String uuid, List<FileInfo> files) throws IOException {
        Instant newest = Instant.MIN;
        Instant oldest = Instant.MAX;
        for (FileInfo f : files) {
            newest = f.modTime().isAfter(newest) ? f.modTime() : newest;
            oldest = f.modTime().isBefore(oldest) ? f.modTime() : oldest;
        }
        if (!newest.isBefore(cutoff)) {
            return false;
        }
        Instant started = oldest;
        String startedAt = PathLayout.uploadStartedAt(e.name(), uuid);
        if (files.stream().anyMatch(f -> f.path().equals(startedAt))) {
            try {
                started = Instant.parse(new String(driver.getContent(startedAt), StandardCharsets.UTF_8).trim());
            } catch (PathNotFoundException | DateTimeParseException ignored) {
                // completed meanwhile, or not a time distribution or Berth wrote: the files' age decides
            }
        }
        return started.isBefore(uploadCutoff);
    }
}
