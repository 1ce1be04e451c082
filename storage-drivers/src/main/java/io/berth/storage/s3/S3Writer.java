package io.berth.storage.s3;

import io.berth.core.storage.FileWriter;
import io.berth.core.storage.StorageException;
import io.berth.storage.buffer.PartBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.Part;

/**
 * A resumable writer on an S3 multipart upload, after distribution's s3-aws writer.
 *
 * <p>Everything a writer leaves behind on {@link #close()} is stored in S3, never only in this
 * process, so {@code writer(path, true)} on any server continues it:
 *
 * <ul>
 *   <li>Bytes are buffered up to {@code chunksize} and uploaded as parts of a multipart upload
 *       for the path's key. The upload is created lazily, with the first part: a writer that is
 *       committed with less than {@code chunksize} in total is a single PutObject.
 *   <li>{@code close()} without commit uploads the buffered tail as the upload's last part, even
 *       when it is under S3's 5 MiB minimum (only the last part may be that small).
 *   <li>{@code writer(path, true)} finds the upload in progress (ListMultipartUploads, exact key)
 *       and its parts (ListParts). If the last part is 5 MiB or more, new parts simply follow it.
 *       If it is smaller, more parts cannot follow it, and S3 cannot read back the parts of an
 *       unfinished upload; so, before the first new byte is written, the upload is completed
 *       (the key then holds the bytes so far) and the writer continues from that object.
 *   <li>Continuing from an object (that one, or one committed earlier) of {@code S} bytes: if
 *       {@code S < 5 MiB} it is read back into the buffer; otherwise a new upload starts with
 *       UploadPartCopy of the object (in pieces of at most 5 GiB) as its first parts. Both
 *       happen only when new bytes must be stored, so reopening and closing costs nothing.
 *   <li>If a process dies between completing an upload and re-uploading its bytes in the next
 *       one, both an object and an upload exist. An upload whose parts hold fewer bytes than the
 *       object is such a stale leftover: it is aborted and the object wins. ({@code writer(path,
 *       false)} deletes any object at the key, so an object never outlives a newer truncation.)
 * </ul>
 *
 * <p>{@link #commit()} completes the upload (or does the single PutObject); {@link #cancel()}
 * aborts it and deletes the object.
 */
final class S3Writer extends FileWriter {
    private final S3Driver driver;
    private final String path;
    private final String key;
    private final int chunkSize;

    /** The multipart upload holding {@link #parts}, or null before the first part. */
    private String uploadId;
    private final List<CompletedPart> parts = new ArrayList<>();
    private long partsSize;
    /** The last of {@link #parts} is under 5 MiB: the upload must be completed before more can be added. */
    private boolean lastPartSmall;
    /** Bytes of the object at the key that come first and are in neither an upload nor the buffer. */
    private long baseSize;

    private final PartBuffer buf = new PartBuffer();
    /** {@link #size()} once the buffer is released (committed, cancelled or closed). */
    private long sizeWhenReleased = -1;

    private boolean closed;
    private boolean committed;
    private boolean cancelled;

    private S3Writer(S3Driver driver, String path, String key) {
        this.driver = driver;
        this.path = path;
        this.key = key;
        this.chunkSize = driver.chunkSize();
    }

    /** A writer that starts empty: aborts uploads in progress for the key and deletes the object. */
    static S3Writer create(S3Driver driver, String path, String key) throws IOException {
        for (MultipartUpload u : driver.uploads(path, key, false)) {
            driver.abortQuietly(key, u.uploadId());
        }
        try {
            driver.client().deleteObject(b -> b.bucket(driver.bucket()).key(key));
        } catch (SdkException e) {
            throw driver.mapped(path, "DeleteObject", e);
        }
        return new S3Writer(driver, path, key);
    }

    /** A writer that continues the upload in progress for the key, or the object there, or starts empty. */
    static S3Writer resume(S3Driver driver, String path, String key) throws IOException {
        S3Writer w = new S3Writer(driver, path, key);
        List<MultipartUpload> uploads = driver.uploads(path, key, false);
        HeadObjectResponse head = driver.headOrNull(path, key);
        long objectSize = head == null ? -1 : head.contentLength();
        // newest first: the newest upload that is not a stale leftover wins, the others are aborted
        for (int i = uploads.size() - 1; i >= 0; i--) {
            MultipartUpload u = uploads.get(i);
            if (w.uploadId != null) {
                driver.abortQuietly(key, u.uploadId());
                continue;
            }
            List<Part> parts = driver.parts(path, key, u.uploadId());
            long sum = parts.stream().mapToLong(Part::size).sum();
            if (sum < objectSize || parts.isEmpty()) {
                driver.abortQuietly(key, u.uploadId()); // died before re-uploading the object's bytes
                continue;
            }
            w.uploadId = u.uploadId();
            for (Part p : parts) {
                w.parts.add(CompletedPart.builder().partNumber(p.partNumber()).eTag(p.eTag()).build());
            }
            w.partsSize = sum;
            w.lastPartSmall = parts.get(parts.size() - 1).size() < S3Driver.MIN_PART_SIZE;
        }
        if (w.uploadId == null && objectSize > 0) {
            w.baseSize = objectSize;
        }
        return w;
    }

    @Override
    public long size() {
        return sizeWhenReleased >= 0 ? sizeWhenReleased : partsSize + baseSize + buf.length();
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        if (off < 0 || len < 0 || off + len > b.length) {
            throw new IndexOutOfBoundsException();
        }
        if (len == 0) {
            return;
        }
        prepareForNewBytes();
        while (len > 0) {
            if (buf.length() == chunkSize) {
                uploadBuffer();
            }
            int n = Math.min(len, chunkSize - buf.length());
            buf.write(b, off, n);
            off += n;
            len -= n;
        }
        if (buf.length() == chunkSize) {
            uploadBuffer();
        }
    }

    /** Before the first new byte: make room behind a small last part, and pull in a small base object. */
    private void prepareForNewBytes() throws IOException {
        if (lastPartSmall) {
            completeUpload(); // the key now holds everything so far
            baseSize = partsSize;
            uploadId = null;
            parts.clear();
            partsSize = 0;
            lastPartSmall = false;
        }
        if (baseSize > 0 && baseSize < S3Driver.MIN_PART_SIZE && buf.length() == 0) {
            byte[] base;
            try (InputStream in = driver.reader(path, 0)) {
                base = in.readAllBytes();
            } catch (SdkException e) {
                throw driver.mapped(path, "GetObject", e);
            }
            if (base.length != baseSize) {
                throw new StorageException(path, "s3 writer: " + path + " changed while appending (" + base.length
                        + " bytes, expected " + baseSize + ")");
            }
            buf.write(base, 0, base.length);
            baseSize = 0;
        }
    }

    /** Starts the upload if there is none: a new one, first copying the base object into it. */
    private void ensureUpload() throws IOException {
        if (uploadId != null) {
            return;
        }
        try {
            uploadId = driver.client().createMultipartUpload(driver.createUploadRequest(key)).uploadId();
            if (baseSize > 0) {
                // S3 copies at most 5 GiB per part; split the object into equal pieces below that
                int pieces = (int) ((baseSize + S3Driver.MAX_PART_SIZE - 1) / S3Driver.MAX_PART_SIZE);
                long piece = (baseSize + pieces - 1) / pieces;
                for (long first = 0; first < baseSize; first += piece) {
                    long last = Math.min(first + piece, baseSize) - 1;
                    parts.add(driver.copyPart(key, key, uploadId, parts.size() + 1, first, last));
                    partsSize += last - first + 1;
                }
                baseSize = 0;
            }
        } catch (SdkException e) {
            throw driver.mapped(path, "CreateMultipartUpload/UploadPartCopy", e);
        }
    }

    /** Uploads the whole buffer as the next part. */
    private void uploadBuffer() throws IOException {
        ensureUpload();
        int partNumber = parts.isEmpty() ? 1 : parts.get(parts.size() - 1).partNumber() + 1;
        int len = buf.length();
        try {
            String etag = driver.client().uploadPart(b -> b.bucket(driver.bucket()).key(key).uploadId(uploadId)
                            .partNumber(partNumber).contentLength((long) len),
                    RequestBody.fromContentProvider(buf::stream, len, "application/octet-stream")).eTag();
            parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
        } catch (SdkException e) {
            throw driver.mapped(path, "UploadPart", e);
        }
        partsSize += len;
        buf.clear();
        lastPartSmall = len < S3Driver.MIN_PART_SIZE;
    }

    private void completeUpload() throws IOException {
        List<CompletedPart> done = List.copyOf(parts);
        try {
            driver.client().completeMultipartUpload(b -> b.bucket(driver.bucket()).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(done)));
        } catch (SdkException e) {
            throw driver.mapped(path, "CompleteMultipartUpload", e);
        }
    }

    @Override
    public void commit() throws IOException {
        ensureOpen();
        if (uploadId == null && baseSize == 0) {
            // everything is in the buffer: one PutObject (this is also how an empty file is made)
            try {
                driver.client().putObject(driver.putRequest(key), RequestBody.fromContentProvider(
                        buf::stream, buf.length(), "application/octet-stream"));
            } catch (SdkException e) {
                throw driver.mapped(path, "PutObject", e);
            }
        } else if (uploadId == null && buf.length() == 0) {
            // the object at the key already holds every byte
        } else {
            if (buf.length() > 0 || parts.isEmpty()) {
                uploadBuffer();
            }
            completeUpload();
        }
        committed = true;
        release();
    }

    @Override
    public void cancel() throws IOException {
        ensureOpen();
        cancelled = true;
        release();
        if (uploadId != null) {
            driver.abortQuietly(key, uploadId);
        }
        try {
            driver.client().deleteObject(b -> b.bucket(driver.bucket()).key(key));
        } catch (SdkException e) {
            throw driver.mapped(path, "DeleteObject", e);
        }
    }

    /** Stores what was written so a later {@code writer(path, true)} continues it; see the class comment. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!committed && !cancelled && buf.length() > 0) {
                uploadBuffer();
            }
        } finally {
            release();
        }
    }

    private void release() {
        sizeWhenReleased = size();
        buf.release();
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("writer for " + path + " is closed");
        }
        if (committed) {
            throw new IOException("writer for " + path + " is already committed");
        }
        if (cancelled) {
            throw new IOException("writer for " + path + " is cancelled");
        }
    }

    @Override
    public String toString() {
        return "S3Writer(" + path + ", " + size() + " bytes, " + parts.size() + " parts)";
    }
}
