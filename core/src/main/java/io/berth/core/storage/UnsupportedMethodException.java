package io.berth.core.storage;

/** The driver cannot do this (for example, redirect on the filesystem). */
public class UnsupportedMethodException extends StorageException {
    public UnsupportedMethodException(String path, String method) {
        super(path, method + " is not supported by this driver");
    }
}
