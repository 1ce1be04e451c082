package io.berth.storage.inmemory;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/** Reads a {@link MemFile} from an offset; it sees bytes appended while it reads, as a file would. */
final class MemReader extends InputStream {
    private final MemFile file;
    private long pos;
    private boolean closed;

    MemReader(MemFile file, long offset) {
        this.file = file;
        this.pos = offset;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("reader closed");
        }
        int n = file.read(pos, b, off, len);
        if (n > 0) {
            pos += n;
        }
        return n;
    }

    @Override
    public long skip(long n) {
        long skipped = Math.max(0, Math.min(n, file.size() - pos));
        pos += skipped;
        return skipped;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, file.size() - pos));
    }

    @Override
    public void close() {
        closed = true;
    }
}
