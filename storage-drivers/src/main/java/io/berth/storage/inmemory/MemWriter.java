package io.berth.storage.inmemory;

import io.berth.core.storage.FileWriter;
import java.io.IOException;
import java.util.Objects;

/** Appends to a {@link MemFile} that is already in the tree, so its bytes show as they are written. */
final class MemWriter extends FileWriter {
    private final InMemoryDriver driver;
    private final String path;
    private final MemFile file;
    private long size;
    private boolean closed;
    private boolean committed;

    MemWriter(InMemoryDriver driver, String path, MemFile file) {
        this.driver = driver;
        this.path = path;
        this.file = file;
        this.size = file.size();
    }

    @Override
    public synchronized long size() {
        return size;
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (closed || committed) {
            throw new IOException((committed ? "writer already committed: " : "writer closed: ") + path);
        }
        file.append(b, off, len);
        size += len;
    }

    @Override
    public synchronized void flush() throws IOException {
        if (closed) {
            throw new IOException("writer closed: " + path);
        }
    }

    @Override
    public synchronized void commit() throws IOException {
        if (closed || committed) {
            throw new IOException((committed ? "writer already committed: " : "writer closed: ") + path);
        }
        committed = true;
    }

    @Override
    public synchronized void cancel() throws IOException {
        if (closed || committed) {
            throw new IOException((committed ? "already committed: " : "writer closed: ") + path);
        }
        closed = true;
        driver.remove(path, file);
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
