package io.berth.verify;

import io.berth.core.digest.Digest;
import io.berth.core.digest.DigestAlgorithm;
import io.berth.core.storage.StorageDriver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Re-hashes one blob, streaming. Local files are memory-mapped in large windows when big (the
 * kernel reads ahead, no copy through a read buffer) and read with a 1 MiB buffer when small;
 * other backends stream from the driver's reader with the same buffer. Progress is reported per
 * buffer so the bar moves during a multi-gigabyte layer.
 */
final class BlobHasher {
    /** The content's digest and how many bytes it had. */
    record Result(Digest digest, long size) {
    }

    private static final int BUFFER = 1 << 20;
    private static final long MAP_ABOVE = 4L << 20;
    private static final long MAP_WINDOW = 64L << 20;
    private static final ThreadLocal<byte[]> BUFFERS = ThreadLocal.withInitial(() -> new byte[BUFFER]);

    private BlobHasher() {
    }

    /**
     * Gets the JIT to compile the hash loop (where HotSpot substitutes the SHA-NI/AVX2 stub) while
     * the store is still being walked. Compilation is triggered by call counts, and a short JVM run
     * queues hundreds of start-up methods first: without this, the first seconds of hashing ran in
     * the interpreted Java SHA-256, at a tenth of the speed. One-block updates reach the call-count
     * threshold after hashing about a megabyte. (sha512 blobs are rare enough to warm up as they come.)
     */
    static Thread warmUp() {
        Thread t = new Thread(() -> {
            byte[] block = new byte[64];
            MessageDigest md = DigestAlgorithm.SHA256.newMessageDigest();
            for (int i = 0; i < 20_000; i++) {
                md.update(block, 0, block.length);
            }
            md.digest();
        }, "verify-hash-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
        return t;
    }

    static Result hash(StorageDriver driver, String path, DigestAlgorithm alg, LongConsumer progress)
            throws IOException {
        MessageDigest md = alg.newMessageDigest();
        Optional<Path> local = driver.localFile(path);
        long size = local.isPresent() ? hashFile(local.get(), md, progress) : hashStream(driver, path, md, progress);
        return new Result(Digest.fromRaw(alg, md.digest()), size);
    }

    private static long hashFile(Path file, MessageDigest md, LongConsumer progress) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > MAP_ABOVE) {
                long pos = 0;
                while (pos < size) {
                    long len = Math.min(MAP_WINDOW, size - pos);
                    MappedByteBuffer mb = ch.map(FileChannel.MapMode.READ_ONLY, pos, len);
                    while (mb.hasRemaining()) {
                        int chunk = Math.min(BUFFER, mb.remaining());
                        ByteBuffer slice = mb.slice(mb.position(), chunk);
                        md.update(slice);
                        mb.position(mb.position() + chunk);
                        progress.accept(chunk);
                    }
                    pos += len;
                }
                // a file that grew or shrank under us is read to its size at open; a digest
                // mismatch reports it, and the size reported is what was hashed
                return pos;
            }
            byte[] buf = BUFFERS.get();
            ByteBuffer bb = ByteBuffer.wrap(buf);
            long total = 0;
            int n;
            while ((n = ch.read(bb)) >= 0) {
                if (!bb.hasRemaining() || n == 0) {
                    total += flush(bb, buf, md, progress);
                }
            }
            return total + flush(bb, buf, md, progress);
        }
    }

    private static int flush(ByteBuffer bb, byte[] buf, MessageDigest md, LongConsumer progress) {
        int len = bb.position();
        if (len > 0) {
            md.update(buf, 0, len);
            progress.accept(len);
        }
        bb.clear();
        return len;
    }

    private static long hashStream(StorageDriver driver, String path, MessageDigest md, LongConsumer progress)
            throws IOException {
        byte[] buf = BUFFERS.get();
        long total = 0;
        try (InputStream in = driver.reader(path, 0)) {
            int n;
            while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                md.update(buf, 0, n);
                total += n;
                progress.accept(n);
            }
        }
        return total;
    }
}
