package io.berth.storage.azure;

import io.berth.core.storage.FileInfo;
import io.berth.core.storage.StoragePaths;
import io.berth.core.storage.WalkVisitor;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Turns a flat listing (blob names relative to the walk root, in the store's byte order) into the
 * walk order the SPI promises: depth-first, lexical, each directory just before its contents.
 *
 * <p>The two orders differ only where a name has a character below {@code '/'} ({@code '-'} and
 * {@code '.'} in the path grammar): the flat listing puts {@code a-x} and {@code a.y/3} before
 * {@code a/1}, the walk wants {@code a/1} first. Walk order is byte order with {@code '/'} taken as
 * the smallest character, so each entry is held in a small sorted buffer under that key until the
 * listing has moved past every name that could still sort before it: after name {@code k}, all
 * later names sort (in walk order) at or above {@code k} itself, or, if {@code k} has a character
 * below {@code '/'} at index {@code i}, at or above {@code k[0..i) + '/'}. Listings without such
 * names stream through with almost nothing held; a listing that is not in byte order (which Azure
 * never returns) is simply held whole and sorted at the end.
 */
final class FlatWalk {
    private final String root;
    private final WalkVisitor visitor;
    private final NavigableMap<String, Entry> pending = new TreeMap<>();
    /** Directories (relative, without trailing slash) on the path to the last visited file. */
    private final Deque<String> open = new ArrayDeque<>();
    private String skipped; // relative prefix "dir/" whose remaining contents are skipped
    private String previous;
    private boolean unsorted;
    private boolean stopped;
    private boolean any;

    private record Entry(String rel, long size, Instant modTime, String md5) {
    }

    /** @param root the walk's start as given to walk(), e.g. "/" or "/docker/registry" */
    FlatWalk(String root, WalkVisitor visitor) {
        this.root = root;
        this.visitor = visitor;
    }

    /** Whether the listing gave any usable entry. */
    boolean any() {
        return any;
    }

    boolean stopped() {
        return stopped;
    }

    /** Feeds the next listed name (relative to the root, no leading slash); false once the visitor said STOP. */
    boolean add(String rel, long size, Instant modTime) throws IOException {
        return add(rel, size, modTime, null);
    }

    /** As {@link #add(String, long, Instant)}, with the blob's Content-MD5 (hex) when it has one. */
    boolean add(String rel, long size, Instant modTime, String md5) throws IOException {
        if (stopped) {
            return false;
        }
        if (rel.isEmpty() || rel.startsWith("/") || rel.endsWith("/") || rel.contains("//")) {
            return true; // directory markers and names no path can have
        }
        any = true;
        if (previous != null && rel.compareTo(previous) < 0) {
            unsorted = true;
        }
        previous = rel;
        String key = walkKey(rel);
        pending.put(key, new Entry(rel, size, modTime, md5));
        if (!unsorted) {
            String bound = key;
            for (int i = 0; i < rel.length(); i++) {
                if (rel.charAt(i) < '/') {
                    bound = walkKey(rel.substring(0, i)) + '\0';
                    break;
                }
            }
            NavigableMap<String, Entry> ready = pending.headMap(bound, true);
            while (!ready.isEmpty() && !stopped) {
                Map.Entry<String, Entry> first = ready.pollFirstEntry();
                emit(first.getValue());
            }
        }
        return !stopped;
    }

    /** Visits whatever is still held; call after the listing ends. */
    void finish() throws IOException {
        while (!pending.isEmpty() && !stopped) {
            emit(pending.pollFirstEntry().getValue());
        }
    }

    /** Byte order with '/' as the smallest character. */
    private static String walkKey(String rel) {
        return rel.replace('/', '\0');
    }

    private void emit(Entry e) throws IOException {
        String rel = e.rel();
        if (skipped != null) {
            if (rel.startsWith(skipped)) {
                return;
            }
            skipped = null; // walk order keeps a directory's contents together: we are past it
        }
        while (!open.isEmpty() && !rel.startsWith(open.peekLast() + "/")) {
            open.pollLast();
        }
        int from = open.isEmpty() ? 0 : open.peekLast().length() + 1;
        for (int slash = rel.indexOf('/', from); slash >= 0; slash = rel.indexOf('/', slash + 1)) {
            String dir = rel.substring(0, slash);
            WalkVisitor.Result r = visitor.visit(new FileInfo(full(dir), 0, e.modTime(), true));
            if (r == WalkVisitor.Result.STOP) {
                stopped = true;
                return;
            }
            if (r == WalkVisitor.Result.SKIP_DIR) {
                skipped = dir + "/";
                return;
            }
            open.addLast(dir);
        }
        // as Walks.walkByListing: SKIP_DIR on a file skips nothing
        if (visitor.visit(new FileInfo(full(rel), e.size(), e.modTime(), false, e.md5())) == WalkVisitor.Result.STOP) {
            stopped = true;
        }
    }

    private String full(String rel) {
        return StoragePaths.join(root, rel);
    }
}
