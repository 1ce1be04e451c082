package io.berth.core.walk;

import io.berth.core.digest.Digest;
import io.berth.core.layout.LayoutPath;
import io.berth.core.layout.PathLayout;
import io.berth.core.reference.RepositoryName;
import io.berth.core.storage.FileInfo;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.core.storage.WalkVisitor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The walk gc, verify and migrate share: one {@link StorageDriver#walk} over {@code blobs/} and
 * one over {@code repositories/} (a flat listing on object stores, so a store of millions of
 * files costs thousands of list calls, not millions), every file classified through
 * {@link PathLayout#parse}.
 *
 * <p>A repository's files all start with {@code <name>/_}, and no repository name component
 * starts with {@code _}, so both walk orders the drivers give (directory-wise depth-first and
 * flat lexical by full key) deliver each repository's files contiguously: one repository is
 * held in memory at a time.
 */
public final class StoreWalker {

    /** Receives what the walk finds. Calls come from the walking thread, in walk order. */
    public interface Visitor {
        default void blob(Digest digest, FileInfo info) throws IOException {
        }

        default void repository(RepositoryEntries repository) throws IOException {
        }

        /**
         * A file that is not part of the layout (a stray file, a malformed digest or name). Extra
         * files inside a digest directory that holds its {@code link} or {@code data} are not
         * seen: the walk stats that one file there instead of listing the directory.
         */
        default void unrecognised(FileInfo info) throws IOException {
        }
    }

    private final StorageDriver driver;
    private final boolean unstatedLayerLinks;

    public StoreWalker(StorageDriver driver) {
        this(driver, false);
    }

    private StoreWalker(StorageDriver driver, boolean unstatedLayerLinks) {
        this.driver = driver;
        this.unstatedLayerLinks = unstatedLayerLinks;
    }

    /**
     * A walker whose repository walks may hand over layer links as {@link FileInfo#unstated}
     * (where the driver walks directory by directory: a stat per link saved). gc uses it: a
     * layer link's time matters only when its blob is not otherwise kept, and gc stats those.
     */
    public static StoreWalker withUnstatedLayerLinks(StorageDriver driver) {
        return new StoreWalker(driver, true);
    }

    /** Every blob's {@code data} file. */
    public void walkBlobs(Visitor visitor) throws IOException {
        walkBlobs(PathLayout.BLOBS, visitor);
    }

    /**
     * The blobs under one directory of {@code blobs/} (e.g. {@code blobs/sha256/ab}), so a job can
     * walk the 256 fan-out directories in parallel.
     */
    public void walkBlobs(String under, Visitor visitor) throws IOException {
        requireUnder(under, PathLayout.BLOBS);
        walk(under, info -> {
            Optional<LayoutPath> p = PathLayout.parse(info.path());
            if (p.isPresent() && p.get() instanceof LayoutPath.BlobData b) {
                visitor.blob(b.digest(), info);
            } else {
                visitor.unrecognised(info);
            }
        });
    }

    /** Every repository, each handed over once complete. */
    public void walkRepositories(Visitor visitor) throws IOException {
        walkRepositories(PathLayout.REPOSITORIES, null, dir -> false, PathLayout::filesOfEachEntry, unstatedLayerLinks,
                visitor);
    }

    /**
     * The repositories under one directory of {@code repositories/}. Every repository lies wholly
     * under its first name component, so a job can walk the top-level directories in parallel.
     */
    public void walkRepositories(String under, Visitor visitor) throws IOException {
        requireUnder(under, PathLayout.REPOSITORIES);
        walkRepositories(under, null, dir -> false, PathLayout::filesOfEachEntry, unstatedLayerLinks, visitor);
    }

    /**
     * Like {@link #walkRepositories(String, Visitor)}, but only the files that say what each
     * repository references: layer links, revisions and tags' {@code current} links, without tag
     * index entries and uploads (which reference nothing a tag's or a revision's change does not
     * show). gc's re-check looks for what changed this way, at half the cost of a full walk.
     */
    public void walkRepositoryReferences(String under, Visitor visitor) throws IOException {
        requireUnder(under, PathLayout.REPOSITORIES);
        walkRepositories(under, null, dir -> isTagIndexDir(dir) || dir.endsWith("/" + PathLayout.UPLOADS_DIR),
                PathLayout::filesOfEachEntryWithoutTagIndex, unstatedLayerLinks, visitor);
    }

    /**
     * One repository (verify's {@code --repository}): a walk of its own directory only. Nested
     * repositories below it ({@code name/sub}) are skipped, not reported as unrecognised.
     * A repository with no files is handed over empty.
     */
    public void walkRepository(RepositoryName name, Visitor visitor) throws IOException {
        boolean[] seen = {false};
        walkRepositories(PathLayout.repository(name), name, dir -> false, PathLayout::filesOfEachEntry, false, new Visitor() {
            @Override
            public void repository(RepositoryEntries repository) throws IOException {
                seen[0] = true;
                visitor.repository(repository);
            }

            @Override
            public void unrecognised(FileInfo info) throws IOException {
                visitor.unrecognised(info);
            }
        });
        if (!seen[0]) {
            visitor.repository(new RepositoryEntries.Builder(name).build());
        }
    }

    private void walkRepositories(String root, RepositoryName only, java.util.function.Predicate<String> skip,
                                  Function<String, List<String>> entryFiles, boolean unstated, Visitor visitor)
            throws IOException {
        RepositoryEntries.Builder[] current = {null};
        Set<RepositoryName> done = new HashSet<>();
        walk(root, skip, entryFiles, unstated, info -> {
            Optional<LayoutPath> parsed = PathLayout.parse(info.path());
            if (only != null && parsed.isPresent() && !(parsed.get() instanceof LayoutPath.BlobData)
                    && !repositoryOf(parsed.get()).equals(only)) {
                return; // a nested repository's file
            }
            if (only != null && parsed.isEmpty() && !info.path().startsWith(PathLayout.repository(only) + "/_")) {
                return; // under a nested repository: its own walk judges it
            }
            if (parsed.isEmpty()) {
                visitor.unrecognised(info);
                return;
            }
            if (parsed.get() instanceof LayoutPath.BlobData) {
                visitor.unrecognised(info);
                return;
            }
            RepositoryName name = repositoryOf(parsed.get());
            if (current[0] == null || !current[0].name.equals(name)) {
                if (current[0] != null) {
                    done.add(current[0].name);
                    visitor.repository(current[0].build());
                }
                if (done.contains(name)) {
                    throw new IOException("walk of " + PathLayout.REPOSITORIES + " returned " + name
                            + " in two separate runs; the driver's walk order breaks the contract");
                }
                current[0] = new RepositoryEntries.Builder(name);
            }
            add(current[0], parsed.get(), info);
        });
        if (current[0] != null) {
            visitor.repository(current[0].build());
        }
    }

    /**
     * One repository's files as they are now (its {@code _layers}, {@code _manifests} and
     * {@code _uploads}, not the repositories nested below it): gc re-reads a repository this way
     * right before deleting from it. Empty entries if it has no files left.
     */
    public RepositoryEntries walkRepository(RepositoryName name) throws IOException {
        // one walk of the repository's directory (one listing on an object store, not three),
        // not descending into nested repositories: any child not named _layers, _manifests, ...
        String dir = PathLayout.repository(name);
        return walkRepository(name, d -> d.startsWith(dir + "/") && d.indexOf('/', dir.length() + 1) < 0
                && d.charAt(dir.length() + 1) != '_', PathLayout::filesOfEachEntry, dir);
    }

    /**
     * One repository's layer and manifest links, without its uploads (what a copy of the
     * repository needs).
     */
    public RepositoryEntries repository(RepositoryName name) throws IOException {
        return walkRepository(name, PathLayout.layersDir(name), PathLayout.manifestsDir(name));
    }

    /**
     * Only what decides what the repository's manifests reach: its revisions and its tags'
     * {@code current} links, without the tag index entries (two thirds of a tag's files). gc
     * takes this second look right before deleting from a repository.
     */
    public RepositoryEntries walkManifestRoots(RepositoryName name) throws IOException {
        return walkRepository(name, StoreWalker::isTagIndexDir, PathLayout::filesOfEachEntryWithoutTagIndex,
                PathLayout.manifestsDir(name));
    }

    /** {@code .../_manifests/tags/<tag>/index} (names cannot contain {@code _manifests/tags/x/index}: components never start with {@code _}). */
    private static boolean isTagIndexDir(String dir) {
        if (!dir.endsWith("/index")) {
            return false;
        }
        String tagDir = dir.substring(0, dir.length() - "/index".length());
        int slash = tagDir.lastIndexOf('/');
        return slash > 0 && tagDir.substring(0, slash).endsWith("/" + PathLayout.MANIFESTS_DIR + "/tags");
    }

    private RepositoryEntries walkRepository(RepositoryName name, String... dirs) throws IOException {
        return walkRepository(name, dir -> false, PathLayout::filesOfEachEntry, dirs);
    }

    private RepositoryEntries walkRepository(RepositoryName name, java.util.function.Predicate<String> skip,
                                             Function<String, List<String>> entryFiles, String... dirs) throws IOException {
        RepositoryEntries.Builder b = new RepositoryEntries.Builder(name);
        for (String dir : dirs) {
            walk(dir, skip, entryFiles, false, info -> PathLayout.parse(info.path())
                    .filter(p -> !(p instanceof LayoutPath.BlobData) && repositoryOf(p).equals(name))
                    .ifPresent(p -> add(b, p, info)));
        }
        return b.build();
    }

    private static void requireUnder(String dir, String root) {
        if (!dir.equals(root) && !dir.startsWith(root + "/")) {
            throw new IllegalArgumentException(dir + " is not under " + root);
        }
    }

    private static RepositoryName repositoryOf(LayoutPath p) {
        if (p instanceof LayoutPath.LayerLink l) {
            return l.repository();
        } else if (p instanceof LayoutPath.RevisionLink r) {
            return r.repository();
        } else if (p instanceof LayoutPath.TagCurrentLink t) {
            return t.repository();
        } else if (p instanceof LayoutPath.TagIndexLink t) {
            return t.repository();
        } else if (p instanceof LayoutPath.UploadFile u) {
            return u.repository();
        }
        throw new IllegalStateException("not a repository path: " + p);
    }

    private static void add(RepositoryEntries.Builder b, LayoutPath p, FileInfo info) {
        if (p instanceof LayoutPath.LayerLink l) {
            b.layers.put(l.digest(), info);
        } else if (p instanceof LayoutPath.RevisionLink r) {
            b.revisions.put(r.digest(), info);
        } else if (p instanceof LayoutPath.TagCurrentLink t) {
            b.currents.put(t.tag(), info);
        } else if (p instanceof LayoutPath.TagIndexLink t) {
            b.index.computeIfAbsent(t.tag(), k -> new java.util.TreeMap<>()).put(t.digest(), info);
        } else if (p instanceof LayoutPath.UploadFile u) {
            b.uploads.computeIfAbsent(u.uuid(), k -> new ArrayList<>()).add(info);
        }
    }

    private interface FileVisitor {
        void file(FileInfo info) throws IOException;
    }

    private void walk(String root, FileVisitor files) throws IOException {
        walk(root, dir -> false, PathLayout::filesOfEachEntry, false, files);
    }

    /**
     * Walks the files under {@code root}, not descending into directories {@code skip} accepts;
     * {@code entryFiles} names the files wanted of each entry of a directory (see {@link WalkVisitor});
     * {@code unstated}: layer links may come as {@link FileInfo#unstated}.
     */
    private void walk(String root, java.util.function.Predicate<String> skip, Function<String, List<String>> entryFiles,
                      boolean unstated, FileVisitor files) throws IOException {
        try {
            driver.walk(root, new WalkVisitor() {
                @Override
                public Result visit(FileInfo info) throws IOException {
                    if (!info.isDirectory()) {
                        files.file(info);
                        return Result.CONTINUE;
                    }
                    return skip.test(info.path()) ? Result.SKIP_DIR : Result.CONTINUE;
                }

                @Override
                public List<String> filesOfEachEntry(String dir) {
                    return entryFiles.apply(dir);
                }

                @Override
                public boolean namesSuffice(String dir) {
                    return unstated && PathLayout.isLayersFanOut(dir);
                }

                @Override
                public String onlyFileOfEachEntry(String dir) {
                    List<String> files = entryFiles.apply(dir);
                    return files != null && files.size() == 1 ? files.get(0) : null;
                }
            });
        } catch (PathNotFoundException e) {
            // an empty store has no blobs/ or repositories/ yet
        }
    }
}
