package io.berth.core.walk;

import io.berth.core.digest.Digest;
import io.berth.core.reference.RepositoryName;
import io.berth.core.reference.Tag;
import io.berth.core.storage.FileInfo;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Every file of one repository, as a walk of the store found it: link files by what they name,
 * with their size and modification time (gc's grace period and verify's checks need both).
 * Link contents are not read here; {@link RepositoryGraph} does that.
 */
public record RepositoryEntries(
        RepositoryName name,
        SortedMap<Digest, FileInfo> layers,
        SortedMap<Digest, FileInfo> revisions,
        SortedMap<Tag, TagEntries> tags,
        SortedMap<String, List<FileInfo>> uploads) {

    /** A tag's {@code current/link} (absent when only index entries are left) and its index entries. */
    public record TagEntries(Tag tag, FileInfo current, SortedMap<Digest, FileInfo> index) {
        public boolean hasCurrent() {
            return current != null;
        }
    }

    public RepositoryEntries {
        layers = Collections.unmodifiableSortedMap(layers);
        revisions = Collections.unmodifiableSortedMap(revisions);
        tags = Collections.unmodifiableSortedMap(tags);
        uploads = Collections.unmodifiableSortedMap(uploads);
    }

    /** True when the repository has no tag and no manifest left (gc may prune it). */
    public boolean isEmpty() {
        return revisions.isEmpty() && tags.values().stream().noneMatch(TagEntries::hasCurrent);
    }

    /** Collects a repository's entries while a walk passes through it. */
    static final class Builder {
        final RepositoryName name;
        final TreeMap<Digest, FileInfo> layers = new TreeMap<>();
        final TreeMap<Digest, FileInfo> revisions = new TreeMap<>();
        final TreeMap<Tag, FileInfo> currents = new TreeMap<>();
        final TreeMap<Tag, TreeMap<Digest, FileInfo>> index = new TreeMap<>();
        final TreeMap<String, List<FileInfo>> uploads = new TreeMap<>();

        Builder(RepositoryName name) {
            this.name = name;
        }

        RepositoryEntries build() {
            TreeMap<Tag, TagEntries> tags = new TreeMap<>();
            for (Tag t : currents.keySet()) {
                tags.put(t, new TagEntries(t, currents.get(t), Collections.unmodifiableSortedMap(
                        index.getOrDefault(t, new TreeMap<>()))));
            }
            for (Map.Entry<Tag, TreeMap<Digest, FileInfo>> e : index.entrySet()) {
                tags.putIfAbsent(e.getKey(), new TagEntries(e.getKey(), null,
                        Collections.unmodifiableSortedMap(e.getValue())));
            }
            TreeMap<String, List<FileInfo>> up = new TreeMap<>();
            uploads.forEach((k, v) -> up.put(k, List.copyOf(v)));
            return new RepositoryEntries(name, layers, revisions, tags, up);
        }
    }
}
