package io.berth.core.registry;

import io.berth.core.digest.Digest;
import io.berth.core.digest.DigestAlgorithm;
import io.berth.core.digest.Digester;
import io.berth.core.layout.PathLayout;
import io.berth.core.storage.FileInfo;
import io.berth.core.storage.FileWriter;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.Lock;
import java.util.regex.Pattern;

/**
 * Blob uploads under {@code _uploads/<uuid>/}. The data file grows with each chunk; on completion
 * it is hashed, compared to the client's digest and only then moved into the blob store. The
 * running hash is kept in memory beside the offset it covers; after a restart, or on another
 * instance, it is recomputed from the data, so every upload can be resumed anywhere.
 */
public final class UploadStore {
    private static final Pattern UUID_PATTERN =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final int BUFFER = 256 * 1024;

    private final Repository repo;

    UploadStore(Repository repo) {
        this.repo = repo;
    }

    private StorageDriver driver() {
        return repo.driver();
    }

    /** Starts an upload hashed with sha256 and returns its id. */
    public String start() throws IOException {
        return start(DigestAlgorithm.SHA256);
    }

    /** Starts an upload whose running hash uses {@code alg} (end-4c's {@code ?digest-algorithm=}). */
    public String start(DigestAlgorithm alg) throws IOException {
        String uuid = UUID.randomUUID().toString();
        String started = DateTimeFormatter.ISO_INSTANT.format(Instant.now());
        driver().putContent(PathLayout.uploadStartedAt(repo.name(), uuid), started.getBytes(StandardCharsets.UTF_8));
        driver().putContent(PathLayout.uploadData(repo.name(), uuid), new byte[0]);
        repo.registry().hashStates().put(uuid, new Digester(alg));
        return uuid;
    }

    /** BLOB_UPLOAD_UNKNOWN unless the upload was started (its startedat file is there). */
    private void checkExists(String uuid) throws IOException {
        checkId(uuid);
        try {
            driver().statFile(PathLayout.uploadStartedAt(repo.name(), uuid));
        } catch (PathNotFoundException e) {
            throw unknown(uuid);
        }
    }

    /** Bytes received so far; BLOB_UPLOAD_UNKNOWN if there is no such upload. */
    public long size(String uuid) throws IOException {
        checkId(uuid);
        try {
            driver().stat(PathLayout.uploadStartedAt(repo.name(), uuid));
            FileInfo fi = driver().stat(PathLayout.uploadData(repo.name(), uuid));
            return fi.size();
        } catch (PathNotFoundException e) {
            throw unknown(uuid);
        }
    }

    public Optional<Instant> startedAt(String uuid) throws IOException {
        try {
            String s = new String(driver().getContent(PathLayout.uploadStartedAt(repo.name(), uuid)),
                    StandardCharsets.UTF_8).trim();
            return Optional.of(Instant.parse(s));
        } catch (PathNotFoundException | java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Ids of the uploads in progress (gc purges the stale ones). */
    public List<String> list() throws IOException {
        List<String> out = new ArrayList<>();
        try {
            for (String p : driver().list(PathLayout.uploadsDir(repo.name()))) {
                out.add(PathLayout.baseName(p));
            }
        } catch (PathNotFoundException e) {
            // no uploads
        }
        return out;
    }

    /**
     * Appends a chunk. {@code expectedStart} is where the client says the chunk starts
     * (its Content-Range), or -1 for a streamed chunk; a chunk that does not start at the
     * current end is refused with 416 and nothing is written.
     *
     * @return the new size
     */
    public long append(String uuid, InputStream body, long expectedStart) throws IOException {
        Lock lock = repo.registry().uploadLock(uuid);
        lock.lock();
        try {
            checkExists(uuid);
            return write(uuid, body, expectedStart, false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Appends the body at the data's current end, which the resumed writer reports (asking the
     * backend for it separately would cost an object store three more calls per chunk). With
     * {@code expectedStart} at or above 0 and a body, a chunk that does not start at that end
     * is refused with 416 and nothing is written. With {@code commit} the writer is committed:
     * the data is made durable (fsync, or the object store's upload completed) before it may be
     * moved into place.
     */
    private long write(String uuid, InputStream body, long expectedStart, boolean commit) throws IOException {
        String data = PathLayout.uploadData(repo.name(), uuid);
        long written;
        Digester digester;
        try (FileWriter w = driver().writer(data, true)) {
            long size = w.size();
            if (body != null && expectedStart >= 0 && expectedStart != size) {
                throw new RegistryException(ErrorCode.RANGE_INVALID, 416,
                        "chunk starts at " + expectedStart + " but the upload has " + size + " bytes", null);
            }
            digester = repo.registry().hashStates().take(uuid, size);
            if (body != null) {
                byte[] buf = new byte[BUFFER];
                int n;
                while ((n = body.read(buf)) > 0) {
                    w.write(buf, 0, n);
                    if (digester != null) {
                        digester.update(buf, 0, n);
                    }
                }
            }
            written = w.size();
            if (commit) {
                w.commit();
            }
        }
        if (digester != null && digester.count() == written) {
            repo.registry().hashStates().put(uuid, digester);
        }
        return written;
    }

    /**
     * Completes an upload: appends the final chunk, checks the content against {@code expected},
     * moves it into the blob store and links it into the repository. On a digest mismatch the
     * upload is discarded, as distribution does, and nothing becomes visible.
     */
    public BlobInfo complete(String uuid, Digest expected, InputStream lastChunk, long expectedStart)
            throws IOException {
        Lock lock = repo.registry().uploadLock(uuid);
        lock.lock();
        try {
            checkExists(uuid);
            long size = write(uuid, lastChunk, expectedStart, true);
            Digest actual = digestOf(uuid, size, expected.algorithm());
            if (!actual.equals(expected)) {
                cancel(uuid);
                throw new RegistryException(ErrorCode.DIGEST_INVALID,
                        "upload hashes to " + actual + ", not " + expected, java.util.Map.of("digest", expected.toString()));
            }
            repo.registry().blobs().commitUpload(PathLayout.uploadData(repo.name(), uuid), actual);
            repo.linkBlob(actual);
            cleanup(uuid);
            // the bytes just hashed are the blob's (or an identical earlier upload's): no need to ask
            return new BlobInfo(actual, size, Instant.now());
        } finally {
            lock.unlock();
        }
    }

    private Digest digestOf(String uuid, long size, DigestAlgorithm alg) throws IOException {
        Digester d = repo.registry().hashStates().take(uuid, size);
        if (d != null && d.algorithm() == alg) {
            return d.digest();
        }
        Digester fresh = new Digester(alg);
        try (InputStream in = driver().reader(PathLayout.uploadData(repo.name(), uuid), 0)) {
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) > 0) {
                fresh.update(buf, 0, n);
            }
        }
        return fresh.digest();
    }

    /** Discards an upload; BLOB_UPLOAD_UNKNOWN if there is none. */
    public void cancel(String uuid) throws IOException {
        checkId(uuid);
        if (!cleanup(uuid)) {
            throw unknown(uuid);
        }
    }

    private boolean cleanup(String uuid) throws IOException {
        repo.registry().hashStates().remove(uuid);
        return Links.deleteIfPresent(driver(), PathLayout.uploadDir(repo.name(), uuid));
    }

    private static void checkId(String uuid) {
        if (uuid == null || !UUID_PATTERN.matcher(uuid).matches()) {
            throw unknown(uuid);
        }
    }

    private static RegistryException unknown(String uuid) {
        return new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "upload " + uuid + " is unknown");
    }
}
