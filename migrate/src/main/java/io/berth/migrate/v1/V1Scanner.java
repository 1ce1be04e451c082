package io.berth.migrate.v1;

import io.berth.core.reference.RepositoryName;
import io.berth.core.reference.Tag;
import io.berth.core.storage.InvalidPathException;
import io.berth.core.storage.PathNotFoundException;
import io.berth.migrate.v1.Anomaly.Kind;
import io.berth.migrate.v1.V1Plan.PlannedTag;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.BiPredicate;

/**
 * Reads the metadata of a V1 store (tags, image JSON, checksums; never the layers) and plans
 * the migration: name mapping (spec §6), tag chains by {@code parent} (§7.3) and every
 * metadata-level anomaly of §9. Layer-level anomalies come later, from the conversion.
 */
public final class V1Scanner {
    /** docker's MaxImageDepth was 127; the spec warns above 125. */
    static final int DEEP_CHAIN = 125;
    private static final String GO_ZERO_TIME = "0001-01-01T00:00:00Z";

    /** How V1 names become V2 names. */
    public record NameOptions(boolean lowercaseNames, boolean keepLibraryPrefix) {
    }

    private final V1Store store;
    private final NameOptions names;
    /** (V1 name, V2 name) → whether to migrate the repository; null V2 name when it cannot be mapped. */
    private final BiPredicate<String, String> filter;
    private final boolean filtered;
    private final Map<String, CompletableFuture<Optional<V1Image>>> images = new ConcurrentHashMap<>();
    private final List<Anomaly> anomalies = Collections.synchronizedList(new ArrayList<>());

    public V1Scanner(V1Store store, NameOptions names, BiPredicate<String, String> filter, boolean filtered) {
        this.store = store;
        this.names = names;
        this.filter = filter;
        this.filtered = filtered;
    }

    public V1Plan scan(ExecutorService pool) throws IOException {
        List<V1Store.RepoDir> dirs = store.repositories();
        List<Future<List<PlannedTag>>> futures = new ArrayList<>();
        Map<V1Store.RepoDir, String> mapped = new LinkedHashMap<>();
        for (V1Store.RepoDir dir : dirs) {
            String v1 = v1Name(dir);
            String v2 = v2Name(dir, v1);
            if (!filter.test(v1, v2)) {
                continue;
            }
            mapped.put(dir, v2);
            futures.add(pool.submit(() -> scanRepository(dir, v1, v2)));
        }
        List<PlannedTag> tags = new ArrayList<>();
        for (Future<List<PlannedTag>> f : futures) {
            tags.addAll(await(f));
        }
        tags = applyCollisions(mapped, tags);
        tags.sort((a, b) -> (a.v1Repository() + ":" + a.tag()).compareTo(b.v1Repository() + ":" + b.tag()));
        Map<String, V1Image> loaded = new TreeMap<>();
        for (Map.Entry<String, CompletableFuture<Optional<V1Image>>> e : images.entrySet()) {
            e.getValue().join().ifPresent(img -> loaded.put(e.getKey(), img));
        }
        if (!filtered) {
            sweepOrphans(loaded.keySet());
        }
        List<Anomaly> all = new ArrayList<>(anomalies);
        return new V1Plan(mapped.size(), tags, loaded, all);
    }

    static String v1Name(V1Store.RepoDir dir) {
        return V1Names.decodeOnce(dir.namespaceDir()) + "/" + V1Names.decodeRepository(dir.repositoryDir());
    }

    /** The V2 name (before the collision check), or null when it is invalid and cannot be fixed. */
    private String v2Name(V1Store.RepoDir dir, String v1) {
        String ns = V1Names.decodeOnce(dir.namespaceDir());
        String name = ns.equals("library") && !names.keepLibraryPrefix() ? v1.substring("library/".length()) : v1;
        if (RepositoryName.isValid(name)) {
            return name;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        return names.lowercaseNames() && RepositoryName.isValid(lower) ? lower : null;
    }

    private List<PlannedTag> scanRepository(V1Store.RepoDir dir, String v1, String v2) throws IOException {
        String ns = V1Names.decodeOnce(dir.namespaceDir());
        if (V1Names.isEscaped(dir.namespaceDir()) || V1Names.isEscaped(dir.repositoryDir())) {
            boolean multi = v1.substring(ns.length() + 1).contains("/");
            report(Anomaly.of(Kind.ESCAPED_NAME, multi ? Anomaly.Severity.W : Anomaly.Severity.I, v1, null, null,
                    "stored as repositories/" + dir.raw() + (multi ? "; decodes to a multi-component name" : "")));
        }
        if (ns.equals("library") && !names.keepLibraryPrefix() && v2 != null) {
            report(Anomaly.of(Kind.LIBRARY_NAMESPACE_MAPPED, v1, null, null, "migrated as " + v2));
        }
        String nameProblem = null;
        if (v2 == null) {
            nameProblem = "not a valid V2 repository name" + (names.lowercaseNames() ? "" : " (--lowercase-names may fix upper case)");
        } else if (!v2.equals(ns.equals("library") && !names.keepLibraryPrefix() ? v1.substring(8) : v1)) {
            report(Anomaly.of(Kind.REPOSITORY_NAME_LOWERCASED, v1, null, null, "migrated as " + v2));
        }
        List<String> files;
        try {
            files = store.files(dir);
        } catch (InvalidPathException e) {
            report(Anomaly.of(Kind.UNREADABLE_PATH, v1, null, null,
                    "repositories/" + dir.raw() + " cannot be addressed through the storage driver"));
            return List.of();
        }
        Set<String> fileSet = new HashSet<>(files);
        if (fileSet.contains("_private")) {
            report(Anomaly.of(Kind.REPOSITORY_PRIVATE, v1, null, null,
                    "was private in V1: configure access control for " + v2 + " on the V2 side"));
        }
        List<PlannedTag> out = new ArrayList<>();
        for (String f : files) {
            if (!f.startsWith("tag_")) {
                continue;
            }
            String x = f.substring(4);
            if (x.endsWith("_json") && fileSet.contains("tag__" + x.substring(0, x.length() - 5))) {
                report(Anomaly.of(Kind.TAG_METADATA_COLLISION, v1, "_" + x.substring(0, x.length() - 5), null,
                        f + " is the metadata of tag _" + x.substring(0, x.length() - 5) + ", not a tag"));
                continue;
            }
            String tag = V1Names.decodeOnce(x);
            out.add(planTag(dir, v1, v2, nameProblem, f, tag));
        }
        if (out.isEmpty()) {
            report(Anomaly.of(Kind.REPOSITORY_WITHOUT_TAGS, v1, null, null,
                    fileSet.contains("_index_images") ? "only _index_images: a first push that never tagged" : "no tag_* files"));
        }
        return out;
    }

    private PlannedTag planTag(V1Store.RepoDir dir, String v1, String v2, String nameProblem, String file, String tag)
            throws IOException {
        String content;
        try {
            content = new String(store.read(dir, file), StandardCharsets.UTF_8).trim();
        } catch (InvalidPathException e) {
            return skip(v1, v2, tag, null, Anomaly.of(Kind.UNREADABLE_PATH, v1, tag, null,
                    file + " cannot be addressed through the storage driver"));
        } catch (PathNotFoundException e) {
            return skip(v1, v2, tag, null, Anomaly.of(Kind.TAG_INVALID_CONTENT, v1, tag, null, file + " vanished"));
        }
        if (!V1Names.isImageId(content)) {
            return skip(v1, v2, tag, null, Anomaly.of(Kind.TAG_INVALID_CONTENT, v1, tag, null,
                    file + " holds " + abbreviate(content) + ", not a 16 or 64 hex image id"));
        }
        if (nameProblem != null) {
            return skip(v1, v2, tag, content, Anomaly.of(Kind.INVALID_REPOSITORY_NAME, v1, tag, content, nameProblem));
        }
        if (!Tag.isValid(tag)) {
            return skip(v1, v2, tag, content, Anomaly.of(Kind.INVALID_TAG, v1, tag, content,
                    "not a valid V2 tag ([\\w][\\w.-]{0,127})"));
        }
        List<String> chain = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String id = content;
        while (id != null) {
            if (!seen.add(id)) {
                return skip(v1, v2, tag, content, Anomaly.of(Kind.PARENT_CYCLE, v1, tag, id, "the parent chain loops back to " + id));
            }
            Optional<V1Image> img;
            try {
                img = image(id);
            } catch (InvalidPathException e) {
                return skip(v1, v2, tag, content, Anomaly.of(Kind.UNREADABLE_PATH, v1, tag, id,
                        "images/" + id + " cannot be addressed through the storage driver"));
            }
            if (img.isEmpty()) {
                return chain.isEmpty()
                        ? skip(v1, v2, tag, content, Anomaly.of(Kind.TAG_IMAGE_MISSING, v1, tag, id, "images/" + id + "/json does not exist"))
                        : skip(v1, v2, tag, content, Anomaly.of(Kind.PARENT_MISSING, v1, tag, id,
                                "parent of " + chain.get(chain.size() - 1) + " has no images/" + id + "/json"));
            }
            V1Image im = img.get();
            if (!im.jsonValid()) {
                return skip(v1, v2, tag, content, Anomaly.of(Kind.JSON_INVALID, v1, tag, id, "images/" + id + "/json is not a JSON object"));
            }
            if (!id.equals(im.declaredId())) {
                return skip(v1, v2, tag, content, Anomaly.of(Kind.JSON_ID_MISMATCH, v1, tag, id,
                        "images/" + id + "/json declares id " + im.declaredId()));
            }
            if (im.inProgress()) {
                return skip(v1, v2, tag, content, Anomaly.of(Kind.IMAGE_UPLOAD_INCOMPLETE, v1, tag, id,
                        "images/" + id + "/_inprogress: the push of this image never completed"));
            }
            chain.add(id);
            id = im.parent();
        }
        V1Image top = image(content).orElseThrow();
        if (top.ancestry() != null && !top.ancestry().equals(chain)) {
            report(Anomaly.of(Kind.ANCESTRY_MISMATCH, v1, tag, content,
                    "ancestry lists " + top.ancestry().size() + " ids, the parent chain " + chain.size() + "; using parent"));
        }
        if (chain.size() > DEEP_CHAIN) {
            report(Anomaly.of(Kind.CHAIN_TOO_DEEP, v1, tag, content, chain.size() + " images (docker's limit was 127)"));
        }
        Collections.reverse(chain);
        return new PlannedTag(v1, v2, tag, content, List.copyOf(chain), null);
    }

    private PlannedTag skip(String v1, String v2, String tag, String imageId, Anomaly a) {
        report(a);
        return new PlannedTag(v1, v2, tag, imageId, null, a.kind());
    }

    /** Two V1 repositories mapping to one V2 name (lower-casing, decoding): neither is migrated. */
    private List<PlannedTag> applyCollisions(Map<V1Store.RepoDir, String> mapped, List<PlannedTag> tags) {
        Map<String, Set<String>> byV2 = new HashMap<>();
        for (Map.Entry<V1Store.RepoDir, String> e : mapped.entrySet()) {
            if (e.getValue() != null) {
                byV2.computeIfAbsent(e.getValue(), k -> new java.util.TreeSet<>()).add(v1Name(e.getKey()));
            }
        }
        List<PlannedTag> out = new ArrayList<>();
        for (PlannedTag t : tags) {
            Set<String> sources = t.repository() == null ? Set.of() : byV2.getOrDefault(t.repository(), Set.of());
            if (sources.size() > 1 && t.migratable()) {
                Anomaly a = Anomaly.of(Kind.REPOSITORY_NAME_COLLISION, t.v1Repository(), t.tag(), t.imageId(),
                        "V1 repositories " + sources + " all map to " + t.repository());
                report(a);
                out.add(new PlannedTag(t.v1Repository(), t.repository(), t.tag(), t.imageId(), null, a.kind()));
            } else {
                out.add(t);
            }
        }
        return out;
    }

    private void sweepOrphans(Set<String> reached) throws IOException {
        for (String id : store.imageIds()) {
            if (reached.contains(id)) {
                continue;
            }
            boolean incomplete;
            try {
                incomplete = store.exists(V1Store.IMAGES + "/" + id + "/_inprogress");
            } catch (InvalidPathException e) {
                report(Anomaly.of(Kind.UNREADABLE_PATH, null, null, id, "images/" + id + " cannot be addressed"));
                continue;
            }
            if (incomplete) {
                report(Anomaly.of(Kind.IMAGE_UPLOAD_INCOMPLETE, Anomaly.Severity.W, null, null, id,
                        "untagged image whose push never completed; not migrated"));
            } else {
                report(Anomaly.of(Kind.ORPHAN_IMAGE, null, null, id, "reachable from no tag; not migrated"));
            }
        }
    }

    private Optional<V1Image> image(String id) throws IOException {
        CompletableFuture<Optional<V1Image>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<V1Image>> f = images.putIfAbsent(id, mine);
        if (f == null) {
            try {
                mine.complete(store.image(id));
            } catch (IOException | RuntimeException e) {
                images.remove(id);
                mine.completeExceptionally(e);
                throw e;
            }
            f = mine;
        }
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    private void report(Anomaly a) {
        anomalies.add(a);
    }

    private static String abbreviate(String s) {
        String t = s.replace("\n", "\\n");
        return "\"" + (t.length() > 40 ? t.substring(0, 40) + "…" : t) + "\"";
    }

    static <T> T await(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            throw new IOException(e.getCause());
        }
    }

    static boolean isGoZeroTime(String s) {
        return GO_ZERO_TIME.equals(s);
    }
}
