package io.berth.core.storage;

import java.io.IOException;

/** A storage failure the caller can act on; subclasses say which. */
public class StorageException extends IOException {
    private final String path;

    public StorageException(String path, String message) {
        super(message);
        this.path = path;
    }

    public StorageException(String path, String message, Throwable cause) {
        super(message, cause);
        this.path = path;
    }

    public String path() {
        return path;
    }
}
