package io.berth.gc.mark;

import io.berth.core.digest.Digest;
import io.berth.core.reference.Tag;
import io.berth.core.storage.FileInfo;
import io.berth.core.walk.RepositoryEntries;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What gc decided for one repository from one look at its files.
 *
 * @param entries        the files the decision was made from
 * @param marked         blobs this repository needs kept store-wide: every blob of its kept
 *                       manifests (the manifests' own blobs included) and the target of every
 *                       link younger than the grace period
 * @param manifests      revisions to delete: not reached from a root, older than the grace period
 * @param tagIndex       per deleted manifest, its tag-index entries ({@code tags/<t>/index/<digest>})
 * @param layers         layer links no kept manifest of this repository reaches, older than the grace
 *                       period, each as the plan saw it (stat'ed)
 * @param uploads        upload sessions (uuid → their files) older than the upload max age
 * @param emptyAfter     nothing but tag-index leftovers would remain after these deletions
 * @param notes          why something that looked deletable was kept (broken tag links, unreadable manifests)
 */
public record RepositoryPlan(RepositoryEntries entries, Set<Digest> marked, List<Digest> manifests,
                             Map<Digest, List<TagIndexEntry>> tagIndex, Map<Digest, FileInfo> layers,
                             Map<String, List<FileInfo>> uploads, boolean emptyAfter, List<String> notes) {

    public record TagIndexEntry(Tag tag, Digest digest, FileInfo file) {
    }

    public boolean deletesAnything() {
        return !manifests.isEmpty() || !layers.isEmpty() || !uploads.isEmpty();
    }
}
