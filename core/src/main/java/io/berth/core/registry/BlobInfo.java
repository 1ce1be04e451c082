package io.berth.core.registry;

import io.berth.core.digest.Digest;
import java.time.Instant;

/** A stored blob: its digest, size and when it was written. */
public record BlobInfo(Digest digest, long size, Instant modTime) {
}
