package io.berth.storage.inmemory;

import io.berth.core.storage.FileInfo;
import io.berth.core.storage.FileWriter;
import io.berth.core.storage.InvalidOffsetException;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.core.storage.StoragePaths;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Keeps the tree in memory, for tests and throwaway registries. Like distribution's inmemory
 * driver (and like a filesystem) directories are entries of their own, created for a file's
 * parents and left behind, empty, when their files are deleted.
 *
 * <p>Reads go lock-free to the sorted map; changes to the tree's shape take one lock, so that
 * checks such as "is a parent a file?" and the change they guard happen together.
 */
public final class InMemoryDriver implements StorageDriver {

    sealed interface Node permits MemFile, Dir {
    }

    static final class Dir implements Node {
        volatile Instant modTime = Instant.now();
    }

    /** Every file and directory by full path; "/" is implicit. */
    private final ConcurrentSkipListMap<String, Node> nodes = new ConcurrentSkipListMap<>();
    private final Object treeLock = new Object();

    @Override
    public String name() {
        return "inmemory";
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        MemFile f = file(path);
        if (f.size() > Integer.MAX_VALUE - 8) {
            throw new IOException("too large for getContent: " + path);
        }
        return f.toArray();
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        StoragePaths.check(path);
        MemFile f = new MemFile(content); // filled before it is published: readers never see a part
        synchronized (treeLock) {
            place(path, f);
        }
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        MemFile f = file(path);
        if (offset < 0 || offset > f.size()) {
            throw new InvalidOffsetException(path, offset);
        }
        return new MemReader(f, offset);
    }

    @Override
    public FileWriter writer(String path, boolean append) throws IOException {
        StoragePaths.check(path);
        MemFile f;
        synchronized (treeLock) {
            if (nodes.get(path) instanceof MemFile existing) {
                f = existing;
            } else {
                f = new MemFile();
                place(path, f);
            }
        }
        if (!append) {
            f.truncate();
        }
        return new MemWriter(this, path, f);
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        Node n = nodes.get(StoragePaths.check(path));
        if (n instanceof MemFile f) {
            return new FileInfo(path, f.size(), f.modTime(), false);
        }
        if (n instanceof Dir d) {
            return new FileInfo(path, 0, d.modTime, true);
        }
        throw new PathNotFoundException(path);
    }

    @Override
    public List<String> list(String path) throws IOException {
        StoragePaths.checkDir(path);
        if (!"/".equals(path) && !(nodes.get(path) instanceof Dir)) {
            throw new PathNotFoundException(path);
        }
        String prefix = "/".equals(path) ? "/" : path + "/";
        List<String> children = new ArrayList<>();
        String key = nodes.ceilingKey(prefix);
        while (key != null && key.startsWith(prefix)) {
            int slash = key.indexOf('/', prefix.length());
            if (slash < 0) {
                children.add(key);
                key = nodes.higherKey(key);
            } else {
                // A descendant: jump past the whole subtree ('0' follows '/') rather than scan it.
                key = nodes.ceilingKey(key.substring(0, slash) + '0');
            }
        }
        return children; // the map's order is the sort order: children differ only in their names
    }

    @Override
    public void move(String sourcePath, String destPath) throws IOException {
        StoragePaths.check(sourcePath);
        StoragePaths.check(destPath);
        synchronized (treeLock) {
            Node src = nodes.get(sourcePath);
            if (src == null) {
                throw new PathNotFoundException(sourcePath);
            }
            if (sourcePath.equals(destPath)) {
                return;
            }
            if (destPath.startsWith(sourcePath + "/")) {
                throw new IOException("cannot move " + sourcePath + " into itself: " + destPath);
            }
            NavigableMap<String, Node> subtree = subtree(sourcePath);
            if (src instanceof Dir && nodes.get(destPath) instanceof Dir && !subtree(destPath).isEmpty()) {
                throw new IOException("destination directory not empty: " + destPath);
            }
            place(destPath, src);
            for (Map.Entry<String, Node> e : new ArrayList<>(subtree.entrySet())) {
                nodes.put(destPath + e.getKey().substring(sourcePath.length()), e.getValue());
            }
            subtree.clear();
            nodes.remove(sourcePath);
            touchParent(sourcePath);
        }
    }

    /** True: both are map lookups; true so that tests run gc's listing re-check too. */
    @Override
    public boolean walksCheaply() {
        return true;
    }

    @Override
    public void delete(String path) throws IOException {
        StoragePaths.check(path);
        synchronized (treeLock) {
            if (nodes.remove(path) == null) {
                throw new PathNotFoundException(path);
            }
            subtree(path).clear();
            touchParent(path);
        }
    }

    /** Removes {@code f} from {@code path} if it is still there (a writer's cancel). */
    void remove(String path, MemFile f) {
        synchronized (treeLock) {
            if (nodes.remove(path, f)) {
                touchParent(path);
            }
        }
    }

    private MemFile file(String path) throws IOException {
        if (nodes.get(StoragePaths.check(path)) instanceof MemFile f) {
            return f;
        }
        throw new PathNotFoundException(path); // missing, or a directory: neither has content
    }

    /** Everything strictly below {@code path}: keys in ["path/", "path0"). */
    private NavigableMap<String, Node> subtree(String path) {
        return nodes.subMap(path + "/", true, path + "0", false);
    }

    /** Puts {@code node} at {@code path}, making parent directories; the caller holds treeLock. */
    private void place(String path, Node node) throws IOException {
        Node existing = nodes.get(path);
        if (existing instanceof Dir && node instanceof MemFile) {
            throw new IOException("is a directory: " + path);
        }
        if (existing instanceof MemFile && node instanceof Dir) {
            throw new IOException("not a directory: " + path);
        }
        mkdirs(StoragePaths.parent(path));
        nodes.put(path, node);
        touchParent(path);
    }

    private void mkdirs(String dir) throws IOException {
        if ("/".equals(dir)) {
            return;
        }
        Node n = nodes.get(dir);
        if (n instanceof MemFile) {
            throw new IOException("not a directory: " + dir);
        }
        if (n == null) {
            mkdirs(StoragePaths.parent(dir));
            nodes.put(dir, new Dir());
            touchParent(dir);
        }
    }

    private void touchParent(String path) {
        if (nodes.get(StoragePaths.parent(path)) instanceof Dir d) {
            d.modTime = Instant.now();
        }
    }
}
