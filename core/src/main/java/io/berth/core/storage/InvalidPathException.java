package io.berth.core.storage;

/** The path breaks {@link StoragePaths#PATTERN}. */
public class InvalidPathException extends StorageException {
    public InvalidPathException(String path) {
        super(path, "invalid path: " + path);
    }
}
