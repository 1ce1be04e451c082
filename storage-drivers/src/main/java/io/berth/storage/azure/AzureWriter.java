package io.berth.storage.azure;

import com.azure.core.util.Context;
import com.azure.storage.blob.models.AppendBlobRequestConditions;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.specialized.AppendBlobClient;
import io.berth.core.storage.FileWriter;
import io.berth.storage.buffer.PartBuffer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Appends to an append blob, as distribution's azure writer does: every byte written lives in the
 * blob once it is flushed, so a later {@code writer(path, true)} on any server continues it.
 * Bytes are gathered into blocks of up to {@link AzureDriver#MAX_APPEND_BLOCK} (Azure's classic
 * limit for one Append Block call); a bigger write is cut into such blocks straight from the
 * caller's array. The block being gathered lives in a {@link PartBuffer} (1 MiB pieces, as the
 * S3 writer's parts): one array doubled up to 4 MiB would be a G1 humongous object per upload.
 * Each block carries the append-position condition, so two writers racing on one
 * path cannot interleave bytes: the loser gets an error instead.
 *
 * <p>{@link #close()} appends what is buffered and keeps the blob; {@link #commit()} does the same
 * and marks the writer done; {@link #cancel()} deletes the blob. {@link #flush()} appends nothing:
 * an append blob takes at most 50,000 blocks, so small flushes must not each cost one.
 */
final class AzureWriter extends FileWriter {
    private final AzureDriver driver;
    private final String path;
    private final AppendBlobClient blob;
    private final PartBuffer buf = new PartBuffer();
    /** Bytes the blob holds: what it started with plus every block appended since. */
    private long flushed;
    private boolean closed;
    private boolean committed;
    private boolean cancelled;
    private boolean failed;

    AzureWriter(AzureDriver driver, String path, AppendBlobClient blob, long existingSize) {
        this.driver = driver;
        this.path = path;
        this.blob = blob;
        this.flushed = existingSize;
    }

    @Override
    public synchronized long size() {
        return flushed + buf.length();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        checkOpen();
        try {
            if (buf.length() > 0) {
                int n = Math.min(len, AzureDriver.MAX_APPEND_BLOCK - buf.length());
                buf.write(b, off, n);
                off += n;
                len -= n;
                if (buf.length() == AzureDriver.MAX_APPEND_BLOCK) {
                    appendBuffer();
                }
            }
            while (len >= AzureDriver.MAX_APPEND_BLOCK) { // whole blocks go straight from the caller's array
                int from = off;
                append(new ByteArrayInputStream(b, from, AzureDriver.MAX_APPEND_BLOCK), AzureDriver.MAX_APPEND_BLOCK,
                        stored -> Arrays.equals(stored, 0, stored.length, b, from, from + AzureDriver.MAX_APPEND_BLOCK));
                off += AzureDriver.MAX_APPEND_BLOCK;
                len -= AzureDriver.MAX_APPEND_BLOCK;
            }
            if (len > 0) {
                buf.write(b, off, len);
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    private void appendBuffer() throws IOException {
        if (buf.length() > 0) {
            append(buf.stream(), buf.length(), buf::contentEquals);
            buf.clear();
        }
    }

    /** One Append Block at the position this writer expects the blob to end at. */
    private void append(InputStream data, int len, Predicate<byte[]> sameBytes) throws IOException {
        long position = flushed;
        try {
            blob.appendBlockWithResponse(data, len, null,
                    new AppendBlobRequestConditions().setAppendPosition(position), null, Context.NONE);
        } catch (BlobStorageException e) {
            if (!(e.getStatusCode() == 412 && "AppendPositionConditionNotMet".equals(String.valueOf(e.getErrorCode()))
                    && landedEarlier(position, len, sameBytes))) {
                throw driver.error(path, "append to", e);
            }
        } catch (RuntimeException e) {
            throw driver.error(path, "append to", e);
        }
        flushed = position + len;
    }

    /**
     * After a timed-out Append Block the SDK retries it; if the first attempt had landed, the retry
     * fails its position condition. As distribution does, compare what the blob holds at that
     * position with the block: equal means the block is in, anything else is someone else's write.
     */
    private boolean landedEarlier(long position, int len, Predicate<byte[]> sameBytes) {
        try {
            long size = blob.getProperties().getBlobSize();
            if (size != position + len) {
                return false;
            }
            byte[] stored = blob.downloadContentWithResponse(null, null, new BlobRange(position, (long) len), false,
                    null, Context.NONE).getValue().toBytes();
            return sameBytes.test(stored);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** A no-op while open: bytes reach the blob in full blocks, on close and on commit. */
    @Override
    public synchronized void flush() throws IOException {
        if (closed && !committed) {
            throw new IOException("writer closed: " + path);
        }
    }

    @Override
    public synchronized void commit() throws IOException {
        checkOpen();
        try {
            appendBuffer();
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
        committed = true;
    }

    @Override
    public synchronized void cancel() throws IOException {
        if (closed || committed) {
            throw new IOException((committed ? "writer already committed: " : "writer closed: ") + path);
        }
        cancelled = true;
        closed = true;
        releaseBuffer();
        driver.deleteBlobIfExists(path, blob.getBlobName());
    }

    /** Appends what is buffered and keeps the blob, so {@code writer(path, true)} can continue it. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!committed && !failed) {
                appendBuffer();
            }
        } finally {
            releaseBuffer();
        }
    }

    /** A failed append may still be reading the buffer in the SDK's background: its blocks are not reused. */
    private void releaseBuffer() {
        if (failed) {
            buf.drop();
        } else {
            buf.release();
        }
    }

    private void checkOpen() throws IOException {
        if (cancelled) {
            throw new IOException("writer cancelled: " + path);
        }
        if (closed) {
            throw new IOException("writer closed: " + path);
        }
        if (committed) {
            throw new IOException("writer already committed: " + path);
        }
        if (failed) {
            throw new IOException("writer failed earlier, its size is unknown: " + path);
        }
    }
}
