package io.berth.core.manifest;

/** A manifest body that does not parse or breaks its schema; the registry answers MANIFEST_INVALID. */
public class ManifestInvalidException extends Exception {
    public ManifestInvalidException(String message) {
        super(message);
    }

    public ManifestInvalidException(String message, Throwable cause) {
        super(message, cause);
    }
}
