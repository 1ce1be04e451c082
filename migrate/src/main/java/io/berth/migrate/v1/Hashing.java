package io.berth.migrate.v1;

import io.berth.core.digest.Digest;
import io.berth.core.digest.DigestAlgorithm;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.function.LongConsumer;

/** Streams that hash what passes through them, for the one-pass layer conversion. */
final class Hashing {
    private Hashing() {
    }

    /** An error reading the source or writing the destination, as opposed to a decompressor rejecting the bytes. */
    static final class SourceException extends IOException {
        SourceException(IOException cause) {
            super(cause.getMessage(), cause);
        }

        IOException source() {
            return (IOException) getCause();
        }
    }

    /** Hashes every byte read (skips are reads), optionally tees them to an output, and reports progress. */
    static final class In extends FilterInputStream {
        private final MessageDigest md;
        private final OutputStream tee;
        private final LongConsumer progress;

        In(InputStream in, MessageDigest md, OutputStream tee, LongConsumer progress) {
            super(in);
            this.md = md;
            this.tee = tee;
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException e) {
                throw new SourceException(e);
            }
            if (n > 0) {
                md.update(b, off, n);
                if (tee != null) {
                    tee.write(b, off, n);
                }
                if (progress != null) {
                    progress.accept(n);
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(n, 64 * 1024)];
            long done = 0;
            while (done < n) {
                int k = read(buf, 0, (int) Math.min(buf.length, n - done));
                if (k <= 0) {
                    break;
                }
                done += k;
            }
            return done;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public void close() {
            // the converter closes the stored stream itself
        }
    }

    /** Counts and hashes what is written, then passes it on (or nowhere, for verify-only). */
    static final class Out extends OutputStream {
        private final OutputStream out;
        private final MessageDigest md = DigestAlgorithm.SHA256.newMessageDigest();
        private long count;

        Out(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            md.update(b, off, len);
            count += len;
            if (out != null) {
                try {
                    out.write(b, off, len);
                } catch (IOException e) {
                    throw new SourceException(e); // a destination error: not the layer's fault either
                }
            }
        }

        long count() {
            return count;
        }

        Digest digest() {
            return Digest.fromRaw(DigestAlgorithm.SHA256, md.digest());
        }
    }

    /** A plain tar needs no decompressor; closing it must not close the source. */
    static final class NonClosing extends FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }
}
