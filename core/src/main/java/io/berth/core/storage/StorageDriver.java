package io.berth.core.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The storage driver SPI, modelled on distribution's {@code storagedriver.StorageDriver} so that
 * every backend (filesystem, in-memory, S3, Azure) stores the same tree. Paths are absolute,
 * slash-separated and match {@link StoragePaths#PATTERN}; a driver rejects any other path with
 * {@link InvalidPathException}. All operations are safe to call from many threads.
 */
public interface StorageDriver extends AutoCloseable {

    /** The driver's name as used in config.yml ({@code filesystem}, {@code inmemory}, {@code s3}). */
    String name();

    /** Whole content of a small file (links, manifests). */
    byte[] getContent(String path) throws IOException;

    /** Writes a small file atomically: readers see the old content or the new, never a mix. */
    void putContent(String path, byte[] content) throws IOException;

    /** A stream over the file from {@code offset}; an offset past the end is {@link InvalidOffsetException}. */
    InputStream reader(String path, long offset) throws IOException;

    /**
     * A writer to {@code path}. With {@code append}, it continues the content a previous writer
     * committed (or left, closed without commit), which is how uploads resume across requests
     * and servers. Without, it starts empty.
     */
    FileWriter writer(String path, boolean append) throws IOException;

    FileInfo stat(String path) throws IOException;

    /**
     * {@link #stat} of a path the layout says can only be a file (blob data, link files): a
     * directory there counts as not found. Object stores answer it with one HEAD, where
     * {@code stat} of a missing path must also list to tell a directory from nothing.
     */
    default FileInfo statFile(String path) throws IOException {
        FileInfo fi = stat(path);
        if (fi.isDirectory()) {
            throw new PathNotFoundException(path);
        }
        return fi;
    }

    /** Full paths of the direct children of a directory, sorted. */
    List<String> list(String path) throws IOException;

    /** Moves a file, replacing the destination; atomic where the backend allows it. */
    void move(String sourcePath, String destPath) throws IOException;

    /** Deletes a file or a whole directory tree. */
    void delete(String path) throws IOException;

    /**
     * Deletes layout entries by the one file each holds (a blob's {@code data}, a revision's,
     * layer's or tag-index entry's {@code link}): each file goes with the directory it leaves
     * behind; one already gone is skipped. Garbage collection deletes through this so that an
     * object store can batch: S3 deletes up to 1000 keys per DeleteObjects call, where {@link
     * #delete} of each directory costs a listing, a delete and an uploads listing. The default
     * deletes each file's directory, as distribution's vacuum does.
     */
    default void deleteEntries(List<String> files) throws IOException {
        for (String f : files) {
            try {
                delete(f.substring(0, f.lastIndexOf('/')));
            } catch (PathNotFoundException gone) {
                // deleted meanwhile: nothing to do
            }
        }
    }

    /**
     * A URL a client can fetch the content from directly, or empty when the driver cannot
     * redirect (filesystem, in-memory) and the registry must serve the bytes itself.
     */
    default Optional<String> redirectUrl(String path, String method, Duration expiry) throws IOException {
        return Optional.empty();
    }

    /**
     * Visits every file and directory under {@code path}, depth-first in lexical order
     * (directories before their contents). Drivers on object stores override this with a
     * flat listing, which gc and verify depend on for speed.
     */
    default void walk(String path, WalkVisitor visitor) throws IOException {
        Walks.walkByListing(this, path, visitor);
    }

    /**
     * True where one {@link #walk} of a directory costs less than a {@link #statFile} of a few
     * files in it: on object stores one request lists up to 1000 keys, and each stat is a request
     * of its own. gc re-checks what it is about to delete with a fresh walk there, and with a stat
     * of each file elsewhere (a filesystem walk stats every file).
     */
    default boolean walksCheaply() {
        return false;
    }

    /**
     * The local file behind a path, when there is one, so the server can send it with the
     * kernel's zero-copy path instead of streaming through the heap.
     */
    default Optional<Path> localFile(String path) {
        return Optional.empty();
    }

    /**
     * Checks at start-up that the backend is reachable and the credentials work, so a wrong key
     * or a missing bucket is a clear error naming the config key instead of a 500 on first push.
     */
    default void checkAccess() throws IOException {
    }

    @Override
    default void close() throws IOException {
    }
}
