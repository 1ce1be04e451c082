package io.berth.storage.filesystem;

import io.berth.core.storage.FileWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Writes straight into the target file, as distribution does, so a resumed upload on any server
 * sees what earlier requests wrote. Bytes go through one direct buffer: the single copy from the
 * caller's heap array that a channel write needs anyway, and small writes are batched there.
 */
final class FilesystemWriter extends FileWriter {
    private final Path file;
    private final FileChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(FilesystemDriver.IO_SLICE);
    private long size;
    private boolean closed;
    private boolean committed;

    FilesystemWriter(Path file, boolean append) throws IOException {
        this.file = file;
        this.ch = append
                ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)
                : FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
        try {
            this.size = ch.size();
            ch.position(size);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public synchronized long size() {
        return size;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        checkOpen();
        buf.put((byte) b);
        size++;
        if (!buf.hasRemaining()) {
            drain();
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        checkOpen();
        while (len > 0) {
            int n = Math.min(len, buf.remaining());
            buf.put(b, off, n);
            off += n;
            len -= n;
            size += n;
            if (!buf.hasRemaining()) {
                drain();
            }
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        if (closed) {
            throw new IOException("writer closed: " + file);
        }
        drain(); // a no-op after commit, so wrapping streams may flush on their close
    }

    private void drain() throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
        buf.clear();
    }

    @Override
    public synchronized void commit() throws IOException {
        checkOpen();
        drain();
        ch.force(false);
        committed = true;
    }

    @Override
    public synchronized void cancel() throws IOException {
        if (closed || committed) {
            throw new IOException((committed ? "already committed: " : "writer closed: ") + file);
        }
        closed = true;
        ch.close();
        Files.deleteIfExists(file);
    }

    /** Keeps what was written (without fsync) so writer(path, true) can continue it. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            drain();
        } finally {
            ch.close();
        }
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("writer closed: " + file);
        }
        if (committed) {
            throw new IOException("writer already committed: " + file);
        }
    }
}
