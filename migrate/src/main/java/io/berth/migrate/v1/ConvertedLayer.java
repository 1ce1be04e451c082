package io.berth.migrate.v1;

import io.berth.core.digest.Digest;
import java.util.List;

/**
 * A V1 layer as a V2 blob: the gzip blob's digest and size, the diff_id (sha256 of the
 * decompressed stream), how it was stored in V1, and how many tar entries it has (0: empty).
 * {@code warnings} are the W anomalies found on the way (checksum missing or legacy-only).
 */
public record ConvertedLayer(String v1Id, Digest digest, long size, Digest diffId, Compression storedAs,
                             long entries, List<Anomaly.Kind> warnings) {

    public boolean empty() {
        return entries == 0;
    }

    public boolean reused() {
        return storedAs == Compression.GZIP;
    }
}
