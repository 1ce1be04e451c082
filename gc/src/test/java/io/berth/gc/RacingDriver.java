package io.berth.gc;

import io.berth.core.storage.FileInfo;
import io.berth.core.storage.FileWriter;
import io.berth.core.storage.StorageDriver;
import io.berth.core.storage.WalkVisitor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A driver that runs a change (a push, a tag moved) just before the first walk (or listing) of a
 * path ending in a given suffix, as a registry taking pushes would while gc or verify runs; and that says it
 * {@link #walksCheaply} or not, so both of gc's re-checks run on one backend.
 */
public final class RacingDriver implements StorageDriver {
    public interface Change {
        void run() throws IOException;
    }

    private final StorageDriver d;
    private final boolean walksCheaply;
    private volatile String suffix;
    private volatile Change change;
    private volatile String listSuffix;
    private volatile Change listChange;
    private final AtomicBoolean fired = new AtomicBoolean();

    public RacingDriver(StorageDriver d, boolean walksCheaply) {
        this.d = d;
        this.walksCheaply = walksCheaply;
    }

    /** Runs {@code change} just before the first walk of a path ending in {@code suffix}. */
    public RacingDriver before(String suffix, Change change) {
        this.suffix = suffix;
        this.change = change;
        return this;
    }

    /** Runs {@code change} just before the first listing of a path ending in {@code suffix}. */
    public RacingDriver beforeList(String suffix, Change change) {
        this.listSuffix = suffix;
        this.listChange = change;
        return this;
    }

    public boolean fired() {
        return fired.get();
    }

    @Override
    public void walk(String path, WalkVisitor visitor) throws IOException {
        String s = suffix;
        if (s != null && path.endsWith(s) && fired.compareAndSet(false, true)) {
            change.run();
        }
        d.walk(path, visitor);
    }

    @Override
    public boolean walksCheaply() {
        return walksCheaply;
    }

    @Override public String name() { return d.name(); }
    @Override public byte[] getContent(String path) throws IOException { return d.getContent(path); }
    @Override public void putContent(String path, byte[] content) throws IOException { d.putContent(path, content); }
    @Override public InputStream reader(String path, long offset) throws IOException { return d.reader(path, offset); }
    @Override public FileWriter writer(String path, boolean append) throws IOException { return d.writer(path, append); }
    @Override public FileInfo stat(String path) throws IOException { return d.stat(path); }
    @Override public FileInfo statFile(String path) throws IOException { return d.statFile(path); }
    @Override
    public List<String> list(String path) throws IOException {
        String s = listSuffix;
        if (s != null && path.endsWith(s) && fired.compareAndSet(false, true)) {
            listChange.run();
        }
        return d.list(path);
    }

    @Override public void move(String from, String to) throws IOException { d.move(from, to); }
    @Override public void delete(String path) throws IOException { d.delete(path); }
    @Override public void deleteEntries(List<String> files) throws IOException { d.deleteEntries(files); }
    @Override public Optional<String> redirectUrl(String path, String method, Duration expiry) throws IOException {
        return d.redirectUrl(path, method, expiry);
    }
    @Override public Optional<Path> localFile(String path) { return d.localFile(path); }
    @Override public void close() throws IOException { d.close(); }
}
