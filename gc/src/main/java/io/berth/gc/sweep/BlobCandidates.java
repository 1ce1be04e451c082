package io.berth.gc.sweep;

import io.berth.core.digest.Digest;
import io.berth.core.digest.DigestAlgorithm;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Blobs the mark did not reach, between the blob walk and their deletion. Written to a temporary
 * file (about 50 bytes each) rather than held in memory, so a store with millions of garbage
 * blobs costs disk, not heap.
 */
public final class BlobCandidates implements AutoCloseable {

    public record Candidate(Digest digest, long size, Instant modTime) {
    }

    @FunctionalInterface
    public interface Consumer {
        void accept(Candidate c) throws IOException;
    }

    private final Path file;
    private final DataOutputStream outStream;
    private long count;

    public BlobCandidates() throws IOException {
        file = Files.createTempFile("berth-gc-candidates", ".bin");
        outStream = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
    }

    public synchronized void add(Digest d, long size, Instant modTime) throws IOException {
        outStream.writeByte(d.algorithm().ordinal());
        outStream.write(HexFormat.of().parseHex(d.hex()));
        outStream.writeLong(size);
        outStream.writeLong(modTime.getEpochSecond());
        outStream.writeInt(modTime.getNano());
        count++;
    }

    public synchronized long count() {
        return count;
    }

    /** Reads the candidates back in the order they were added. */
    public void forEach(Consumer c) throws IOException {
        synchronized (this) {
            outStream.flush();
        }
        DigestAlgorithm[] algs = DigestAlgorithm.values();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            while (true) {
                int alg;
                try {
                    alg = in.readUnsignedByte();
                } catch (EOFException end) {
                    return;
                }
                byte[] raw = new byte[algs[alg].hexLength() / 2];
                in.readFully(raw);
                long size = in.readLong();
                Instant t = Instant.ofEpochSecond(in.readLong(), in.readInt());
                c.accept(new Candidate(Digest.fromRaw(algs[alg], raw), size, t));
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            outStream.close();
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
