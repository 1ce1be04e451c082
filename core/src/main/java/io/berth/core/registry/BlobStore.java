package io.berth.core.registry;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.storage.FileInfo;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The global, content-addressed blob store under {@code blobs/}. Content reaches it only by
 * {@link #putVerified} or by the atomic move of a verified upload, so whatever is at a blob
 * path hashes to that path's digest.
 */
public final class BlobStore {
    private final StorageDriver driver;
    private final BlobDescriptorCache cache;

    public BlobStore(StorageDriver driver, BlobDescriptorCache cache) {
        this.driver = driver;
        this.cache = cache;
    }

    public StorageDriver driver() {
        return driver;
    }

    public Optional<BlobInfo> stat(Digest digest) throws IOException {
        Optional<BlobInfo> cached = cache.blob(digest);
        if (cached.isPresent()) {
            return cached;
        }
        try {
            FileInfo fi = driver.statFile(PathLayout.blobData(digest));
            BlobInfo info = new BlobInfo(digest, fi.size(), fi.modTime());
            cache.putBlob(info);
            return Optional.of(info);
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
    }

    public byte[] get(Digest digest) throws IOException {
        return driver.getContent(PathLayout.blobData(digest));
    }

    public InputStream open(Digest digest, long offset) throws IOException {
        return driver.reader(PathLayout.blobData(digest), offset);
    }

    public Optional<Path> localFile(Digest digest) {
        return driver.localFile(PathLayout.blobData(digest));
    }

    public Optional<String> redirectUrl(Digest digest, String method, Duration expiry) throws IOException {
        return driver.redirectUrl(PathLayout.blobData(digest), method, expiry);
    }

    /** Stores small content (a manifest) whose digest the caller has computed from these very bytes. */
    public void putVerified(Digest digest, byte[] content) throws IOException {
        if (stat(digest).filter(b -> b.size() == content.length).isEmpty()) {
            driver.putContent(PathLayout.blobData(digest), content);
            cache.putBlob(new BlobInfo(digest, content.length, Instant.now()));
        }
    }

    /**
     * Moves an upload's verified data into place. If the blob already exists (another upload of
     * the same content won), the upload's copy is dropped instead: both hold the same bytes.
     */
    public void commitUpload(String uploadDataPath, Digest digest) throws IOException {
        if (stat(digest).isPresent()) {
            return;
        }
        driver.move(uploadDataPath, PathLayout.blobData(digest));
    }

    /** Removes a blob's content for good; only gc calls this. */
    public void delete(Digest digest) throws IOException {
        cache.forgetBlob(digest);
        driver.delete(PathLayout.blobDir(digest));
    }
}
