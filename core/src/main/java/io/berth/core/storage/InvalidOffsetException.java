package io.berth.core.storage;

/** A read or write offset outside the file. */
public class InvalidOffsetException extends StorageException {
    public InvalidOffsetException(String path, long offset) {
        super(path, "invalid offset " + offset + " for " + path);
    }
}
