package io.berth.core.storage;

import java.time.Instant;

/** What {@link StorageDriver#stat} knows of a path. Directories have size 0. */
public record FileInfo(String path, long size, Instant modTime, boolean isDirectory) {
}
