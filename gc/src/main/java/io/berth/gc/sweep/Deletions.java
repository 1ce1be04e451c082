package io.berth.gc.sweep;

import io.berth.gc.GcListener;
import io.berth.gc.GcReport;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** What a run deleted (or would delete), gathered from many workers; thread-safe. */
public final class Deletions {
    private final boolean dryRun;
    private final GcListener listener;
    private final TreeMap<String, Repo> repositories = new TreeMap<>();
    private final List<GcReport.BlobResult> blobs = new ArrayList<>();
    private final List<GcReport.Failure> failures = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private long blobBytes;

    public Deletions(boolean dryRun, GcListener listener) {
        this.dryRun = dryRun;
        this.listener = listener;
    }

    private static final class Repo {
        final List<String> manifests = new ArrayList<>();
        final List<String> tagIndex = new ArrayList<>();
        final List<String> layers = new ArrayList<>();
        final List<String> uploads = new ArrayList<>();
        boolean pruned;
        long bytes;
    }

    public void removed(GcListener.Kind kind, String repository, String item, long bytes) {
        synchronized (this) {
            if (kind == GcListener.Kind.BLOB) {
                blobs.add(new GcReport.BlobResult(item, bytes));
                blobBytes += bytes;
            } else {
                Repo r = repositories.computeIfAbsent(repository, k -> new Repo());
                switch (kind) {
                    case MANIFEST -> r.manifests.add(item);
                    case TAG_INDEX_ENTRY -> r.tagIndex.add(item);
                    case LAYER_LINK -> r.layers.add(item);
                    case UPLOAD -> r.uploads.add(item);
                    case REPOSITORY -> r.pruned = true;
                    default -> throw new IllegalStateException(kind.toString());
                }
                r.bytes += bytes;
            }
        }
        listener.removed(kind, repository, item, bytes, dryRun);
    }

    public synchronized void failed(String path, Exception e) {
        failures.add(new GcReport.Failure(path, e.getClass().getSimpleName() + ": " + e.getMessage()));
    }

    public synchronized void note(String note) {
        if (notes.contains(note)) {
            return; // the re-check walks the repositories again and finds the same
        }
        notes.add(note);
    }

    public synchronized TreeMap<String, GcReport.RepositoryResult> repositories() {
        TreeMap<String, GcReport.RepositoryResult> out = new TreeMap<>();
        repositories.forEach((k, r) -> out.put(k, new GcReport.RepositoryResult(sorted(r.manifests),
                sorted(r.tagIndex), sorted(r.layers), sorted(r.uploads), r.pruned, r.bytes)));
        return out;
    }

    public synchronized List<GcReport.BlobResult> blobs() {
        List<GcReport.BlobResult> out = new ArrayList<>(blobs);
        out.sort(java.util.Comparator.comparing(GcReport.BlobResult::digest));
        return out;
    }

    public synchronized List<GcReport.Failure> failures() {
        return List.copyOf(failures);
    }

    public synchronized List<String> notes() {
        return List.copyOf(notes);
    }

    public synchronized long blobBytes() {
        return blobBytes;
    }

    private static List<String> sorted(List<String> l) {
        List<String> out = new ArrayList<>(l);
        out.sort(null);
        return out;
    }
}
