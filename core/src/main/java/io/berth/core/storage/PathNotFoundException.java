package io.berth.core.storage;

/** Nothing is stored at the path. */
public class PathNotFoundException extends StorageException {
    public PathNotFoundException(String path) {
        super(path, "path not found: " + path);
    }
}
