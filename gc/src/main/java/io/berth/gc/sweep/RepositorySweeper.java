package io.berth.gc.sweep;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.reference.RepositoryName;
import io.berth.core.storage.FileInfo;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.core.walk.RepositoryEntries;
import io.berth.gc.GcListener.Kind;
import io.berth.gc.mark.RepositoryPlan;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Deletes what a {@link RepositoryPlan} names, each file re-checked right before it goes: it must
 * still exist, with the size and age the plan saw, older than the grace cutoff (by a stat of the
 * file, or in a listing of the repository taken just before, where listing is the cheaper). Anything
 * rewritten meanwhile (a re-pushed manifest, a re-uploaded layer) is left alone. Directories
 * are deleted as distribution's vacuum does: the revision, tag-index entry, layer or upload
 * directory of each item.
 */
public final class RepositorySweeper {
    private final StorageDriver driver;
    private final Deletions out;
    private final Instant cutoff;
    private final boolean dryRun;
    private final DeletionFence fence;

    public RepositorySweeper(StorageDriver driver, Deletions out, Instant cutoff, boolean dryRun) {
        this(driver, out, cutoff, dryRun, DeletionFence.NONE);
    }

    public RepositorySweeper(StorageDriver driver, Deletions out, Instant cutoff, boolean dryRun, DeletionFence fence) {
        this.driver = driver;
        this.out = out;
        this.cutoff = cutoff;
        this.dryRun = dryRun;
        this.fence = fence;
    }

    /** Deletes the plan's garbage, re-checking each file with a stat. */
    public void sweep(RepositoryPlan plan) {
        sweep(plan, null);
    }

    /**
     * Deletes the plan's garbage, re-checking each file against {@code now}, a walk of the
     * repository taken after the plan (null: stat each file instead).
     */
    public void sweep(RepositoryPlan plan, RepositoryEntries now) {
        Map<String, FileInfo> fresh = now == null ? null : files(now);
        RepositoryEntries e = plan.entries();
        RepositoryName name = e.name();
        String repo = name.value();
        Batch batch = new Batch(fresh);
        for (Digest d : plan.manifests()) {
            for (RepositoryPlan.TagIndexEntry t : plan.tagIndex().getOrDefault(d, List.of())) {
                batch.add(t.file(), PathLayout.tagIndexLink(name, t.tag(), d),
                        () -> out.removed(Kind.TAG_INDEX_ENTRY, repo, t.tag().value() + "@" + d, t.file().size()));
            }
            FileInfo link = e.revisions().get(d);
            batch.add(link, PathLayout.revisionLink(name, d),
                    () -> out.removed(Kind.MANIFEST, repo, d.toString(), link.size()));
        }
        plan.layers().forEach((d, link) -> batch.add(link, PathLayout.layerLink(name, d),
                () -> out.removed(Kind.LAYER_LINK, repo, d.toString(), link.size())));
        batch.run();
        for (Map.Entry<String, List<FileInfo>> u : plan.uploads().entrySet()) {
            long bytes = u.getValue().stream().mapToLong(FileInfo::size).sum();
            FileInfo newest = u.getValue().stream().max(java.util.Comparator.comparing(FileInfo::modTime)).orElseThrow();
            if (delete(newest, fresh, PathLayout.uploadDir(name, u.getKey()))) {
                out.removed(Kind.UPLOAD, repo, u.getKey(), bytes);
            }
        }
    }

    /**
     * A repository's link entries to delete in one {@link StorageDriver#deleteEntries} call (one
     * S3 request per 1000), each re-checked first; reported once the call succeeded.
     */
    private final class Batch {
        private final List<String> files = new ArrayList<>();
        private final List<Runnable> reports = new ArrayList<>();
        private final Map<String, FileInfo> fresh;

        Batch(Map<String, FileInfo> fresh) {
            this.fresh = fresh;
        }

        void add(FileInfo seen, String linkPath, Runnable report) {
            if (stillGarbage(seen, fresh)) {
                files.add(linkPath);
                reports.add(report);
            }
        }

        void run() {
            if (files.isEmpty()) {
                return;
            }
            if (!dryRun) {
                try {
                    fence.await();
                    driver.deleteEntries(files);
                } catch (IOException ex) {
                    for (String f : files) {
                        out.failed(f, ex);
                    }
                    return;
                }
            }
            reports.forEach(Runnable::run);
        }
    }

    /** Every file of a repository walk, by path. */
    private static Map<String, FileInfo> files(RepositoryEntries now) {
        Map<String, FileInfo> out = new HashMap<>();
        now.layers().values().forEach(f -> out.put(f.path(), f));
        now.revisions().values().forEach(f -> out.put(f.path(), f));
        for (RepositoryEntries.TagEntries t : now.tags().values()) {
            if (t.hasCurrent()) {
                out.put(t.current().path(), t.current());
            }
            t.index().values().forEach(f -> out.put(f.path(), f));
        }
        now.uploads().values().forEach(l -> l.forEach(f -> out.put(f.path(), f)));
        return out;
    }

    /**
     * The file (a link) is still as the plan saw it and older than the cutoff; false if absent or
     * changed. Looked up in {@code fresh} when given, else stat'ed.
     */
    private boolean stillGarbage(FileInfo file, Map<String, FileInfo> fresh) {
        if (file == null || !file.modTime().isBefore(cutoff)) {
            return false;
        }
        if (dryRun) {
            return true;
        }
        if (fresh != null) {
            FileInfo now = fresh.get(file.path());
            return now != null && unchanged(file, now, cutoff);
        }
        try {
            return unchanged(file, driver.statFile(file.path()), cutoff);
        } catch (PathNotFoundException gone) {
            return false;
        } catch (IOException ex) {
            out.failed(file.path(), ex);
            return false;
        }
    }

    /**
     * Prunes a repository the sweep left without tags, manifests, layers and uploads: what
     * remains (tag-index leftovers, empty directories) goes, after one more look that nothing
     * new arrived. Nested repositories ({@code name/child}) are untouched: only this
     * repository's {@code _manifests}, {@code _layers} and {@code _uploads} are deleted.
     */
    public void prune(RepositoryEntries now) {
        RepositoryName name = now.name();
        boolean empty = now.revisions().isEmpty() && now.layers().isEmpty() && now.uploads().isEmpty()
                && now.tags().values().stream().noneMatch(RepositoryEntries.TagEntries::hasCurrent);
        boolean old = now.tags().values().stream().flatMap(t -> t.index().values().stream())
                .allMatch(f -> f.modTime().isBefore(cutoff));
        if (!empty || !old) {
            return;
        }
        if (!dryRun) {
            for (String dir : List.of(PathLayout.manifestsDir(name), PathLayout.layersDir(name),
                    PathLayout.uploadsDir(name))) {
                try {
                    fence.await();
                    driver.delete(dir);
                } catch (PathNotFoundException gone) {
                    // nothing of that kind was there
                } catch (IOException ex) {
                    out.failed(dir, ex);
                    return;
                }
            }
        }
        out.removed(Kind.REPOSITORY, name.value(), name.value(), 0);
    }

    /** Deletes {@code dir} if {@code file} (inside it) is still as the plan saw it; false if left alone. */
    private boolean delete(FileInfo file, Map<String, FileInfo> fresh, String dir) {
        if (!stillGarbage(file, fresh)) {
            return false;
        }
        if (dryRun) {
            return true;
        }
        try {
            fence.await();
            driver.delete(dir);
            return true;
        } catch (PathNotFoundException gone) {
            return false;
        } catch (IOException ex) {
            out.failed(dir, ex);
            return false;
        }
    }

    /**
     * Still the file the plan saw: same size and still older than the cutoff (a rewrite would
     * carry a fresh time). Times are not compared for equality: S3 lists them to the millisecond
     * but HEAD reports whole seconds.
     */
    public static boolean unchanged(FileInfo seen, FileInfo now, Instant cutoff) {
        return now.size() == seen.size() && now.modTime().isBefore(cutoff)
                && !now.modTime().isAfter(seen.modTime().plusSeconds(1));
    }

    private static String parent(String path) {
        return path.substring(0, path.lastIndexOf('/'));
    }
}
