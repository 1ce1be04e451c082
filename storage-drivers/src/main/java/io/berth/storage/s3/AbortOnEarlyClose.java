package io.berth.storage.s3;

import java.io.FilterInputStream;
import java.io.IOException;
import software.amazon.awssdk.core.ResponseInputStream;

/**
 * A GetObject body that, closed with more than {@value #DRAIN_MAX} bytes unread, aborts its
 * connection. Closing the SDK's stream otherwise reads the rest of the object so the connection
 * can be reused: a range of 1 KiB from the start of a 256 MiB blob, or a client that gave up on a
 * pull, cost the whole object in transfer and CPU.
 */
final class AbortOnEarlyClose extends FilterInputStream {
    /** What is still cheaper to read to the end than a new connection. */
    static final long DRAIN_MAX = 64 * 1024;

    private final ResponseInputStream<?> body;
    private long left;

    private AbortOnEarlyClose(ResponseInputStream<?> body, long length) {
        super(body);
        this.body = body;
        this.left = length;
    }

    /** {@code body} itself when its length is unknown. */
    static java.io.InputStream wrap(ResponseInputStream<?> body, Long length) {
        return length == null ? body : new AbortOnEarlyClose(body, length);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            left--;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            left -= n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        left -= skipped;
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false; // the count of what is left would not survive a reset
    }

    @Override
    public void close() throws IOException {
        if (left > DRAIN_MAX) {
            body.abort();
        }
        super.close();
    }
}
