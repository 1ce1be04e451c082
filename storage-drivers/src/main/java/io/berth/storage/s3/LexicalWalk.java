package io.berth.storage.s3;

import io.berth.core.storage.FileInfo;
import io.berth.core.storage.StoragePaths;
import io.berth.core.storage.WalkVisitor;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Turns a flat key listing (S3's order: by the bytes of the whole key) into the walk order the
 * SPI promises: depth-first, lexical per directory, each directory visited before its contents.
 *
 * <p>The two orders differ only where a name is a prefix of a sibling's name followed by a
 * character below {@code '/'} ({@code '-'} or {@code '.'} in valid paths): S3 lists
 * {@code a-x}, {@code a.y/3}, {@code a/1}, while the walk wants {@code a}, {@code a/1}, {@code a-x},
 * {@code a.y}, {@code a.y/3}. Comparing keys with {@code '/'} replaced by {@code '\0'} gives the
 * walk order. Keys arrive in byte order, so after key {@code L} every later key {@code F > L}
 * walk-sorts after {@code L} except those that share a prefix {@code L[0..i)} and then have a
 * {@code '/'} where {@code L} has a character below it; those all sort after
 * {@code L[0..i) + '/'}. So every buffered key that walk-sorts before that bound (or, when there
 * is none, at or before {@code L}) can be visited now, and only the keys of such "waiting"
 * sibling subtrees are held in memory, not the whole listing.
 */
final class LexicalWalk {

    private record Entry(String sortKey, String key, long size, Instant modTime, String md5) {
    }

    private final String keyPrefix;
    private final String rootPath;
    private final WalkVisitor visitor;
    private final PriorityQueue<Entry> pending = new PriorityQueue<>(Comparator.comparing(Entry::sortKey));
    /** The directories (paths) of the last visited entry, outermost first. */
    private final Deque<String> openDirs = new ArrayDeque<>();
    /** {@code dir + "/"} of the directory the visitor asked to skip, or null. */
    private String skipPrefix;
    private boolean stopped;
    private boolean sawKeys;

    /**
     * @param keyPrefix the key prefix of the walk root: "" or ending in "/"
     * @param rootPath  the storage path of the walk root, "/" or a directory path
     */
    LexicalWalk(String keyPrefix, String rootPath, WalkVisitor visitor) {
        this.keyPrefix = keyPrefix;
        this.rootPath = rootPath;
        this.visitor = visitor;
    }

    /** True once the visitor said STOP; the caller stops listing. */
    boolean stopped() {
        return stopped;
    }

    /** True if any key under the root was listed (the root exists). */
    boolean sawKeys() {
        return sawKeys;
    }

    /** Feeds the next key of the flat listing; keys must come in S3's (byte) order. */
    void accept(String key, long size, Instant modTime) throws IOException {
        accept(key, size, modTime, null);
    }

    /** As {@link #accept(String, long, Instant)}, with the object's MD5 when its ETag is one. */
    void accept(String key, long size, Instant modTime, String md5) throws IOException {
        if (stopped || !key.startsWith(keyPrefix) || key.length() == keyPrefix.length()) {
            return;
        }
        sawKeys = true;
        String sortKey = key.replace('/', '\0');
        pending.add(new Entry(sortKey, key, size, modTime, md5));
        int bound = -1;
        for (int i = keyPrefix.length() + 1; i < key.length(); i++) {
            if (key.charAt(i) < '/' && key.charAt(i - 1) != '/') {
                bound = i;
                break;
            }
        }
        if (bound < 0) {
            release(sortKey, true);
        } else {
            release(sortKey.substring(0, bound) + '\0', false);
        }
    }

    /** The listing is complete: visits everything still buffered. */
    void finish() throws IOException {
        while (!pending.isEmpty() && !stopped) {
            visit(pending.poll());
        }
        pending.clear();
    }

    private void release(String limit, boolean inclusive) throws IOException {
        while (!pending.isEmpty() && !stopped) {
            int c = pending.peek().sortKey().compareTo(limit);
            if (c > 0 || (c == 0 && !inclusive)) {
                return;
            }
            visit(pending.poll());
        }
    }

    private void visit(Entry e) throws IOException {
        String rel = e.key().substring(keyPrefix.length());
        boolean marker = rel.endsWith("/"); // a "directory marker" object some tools create
        if (marker) {
            rel = rel.substring(0, rel.length() - 1);
        }
        if (rel.isEmpty() || rel.startsWith("/") || rel.contains("//")) {
            return; // not a path of the tree
        }
        String path = StoragePaths.join(rootPath, rel);
        if (skipPrefix != null) {
            if (path.startsWith(skipPrefix)) {
                return;
            }
            skipPrefix = null; // walk order keeps a directory's contents together: the skip is over
        }
        while (!openDirs.isEmpty() && !path.equals(openDirs.peekLast())
                && !path.startsWith(openDirs.peekLast() + "/")) {
            openDirs.removeLast();
        }
        // the directories of this entry, outermost first (and the entry itself for a marker);
        // the open ones, which are ancestors of this entry, were visited already
        List<String> dirs = new ArrayList<>();
        for (int slash = rel.indexOf('/'); slash >= 0; slash = rel.indexOf('/', slash + 1)) {
            dirs.add(StoragePaths.join(rootPath, rel.substring(0, slash)));
        }
        if (marker) {
            dirs.add(path);
        }
        for (String dir : dirs.subList(Math.min(openDirs.size(), dirs.size()), dirs.size())) {
            WalkVisitor.Result r = visitor.visit(new FileInfo(dir, 0, Instant.EPOCH, true));
            if (r == WalkVisitor.Result.STOP) {
                stopped = true;
                return;
            }
            openDirs.addLast(dir);
            if (r == WalkVisitor.Result.SKIP_DIR) {
                skipPrefix = dir + "/";
                return;
            }
        }
        if (!marker && visitor.visit(new FileInfo(path, e.size(), e.modTime(), false, e.md5())) == WalkVisitor.Result.STOP) {
            stopped = true;
        }
    }
}
