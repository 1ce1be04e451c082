package io.berth.migrate.v1;

import io.berth.core.digest.Digest;
import io.berth.core.digest.DigestAlgorithm;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Turns one V1 layer into a V2 gzip blob in a single streaming pass (spec §5, §10.2): the payload
 * checksum over {@code json + "\n" + stored bytes}, decompression, the diff_id over the whole
 * decompressed stream, the tar check (and, for images whose only checksum is a tarsum, the
 * {@link TarSum} over the entries the check parses), and the blob: the stored gzip bytes verbatim,
 * or the decompressed stream gzipped deterministically. The caller makes the blob visible only
 * after this returns, so a layer that fails any check is never migrated.
 */
public final class LayerConverter {
    private static final int BUFFER = 256 * 1024;

    private final V1Store store;

    public LayerConverter(V1Store store) {
        this.store = store;
    }

    /**
     * Gets SHA-256 compiled to its intrinsic (SHA-NI/AVX) before the layers come: the JIT only
     * compiles it after some ten thousand calls, and until then every layer thread hashes at a
     * tenth of the speed (V2 copies verify digests with it too). Runs in a daemon thread while the
     * stores are opened and scanned.
     */
    public static void warmUp() {
        Thread t = new Thread(() -> {
            MessageDigest md = DigestAlgorithm.SHA256.newMessageDigest();
            byte[] b = new byte[128];
            for (int i = 0; i < 40_000; i++) {
                md.update(b);
            }
            md.digest();
        }, "sha256-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /**
     * @param blob     receives the blob bytes (not closed); null to verify only
     * @param progress told the stored bytes read, as they are read
     */
    public ConvertedLayer convert(V1Image img, OutputStream blob, LongConsumer progress)
            throws IOException, LayerException {
        String id = img.id();
        if (img.layerSize() < 0) {
            throw new LayerException(Anomaly.Kind.LAYER_MISSING, "images/" + id + "/layer does not exist");
        }
        if (img.layerSize() == 0) {
            throw new LayerException(Anomaly.Kind.LAYER_EMPTY_FILE,
                    "images/" + id + "/layer is 0 bytes (the V1 registry answered 416 for it)");
        }
        MessageDigest payload = DigestAlgorithm.SHA256.newMessageDigest();
        payload.update(img.json());
        payload.update((byte) '\n');
        MessageDigest diff = DigestAlgorithm.SHA256.newMessageDigest();
        Hashing.Out blobOut = new Hashing.Out(blob);
        List<TarSum.Checksum> expectedTarsums = tarsums(img);
        Map<String, TarSum> tarsums = new LinkedHashMap<>();
        for (TarSum.Checksum c : expectedTarsums) {
            tarsums.computeIfAbsent(c.version().label + "+" + c.hash(), k -> new TarSum(c.version(), c.hash()));
        }
        TarCheck tar = new TarCheck(listener(tarsums.values()));
        Compression format;
        LayerException broken = null;
        try (InputStream stored = new BufferedInputStream(store.openLayer(id), BUFFER)) {
            stored.mark(8);
            byte[] head = new byte[6];
            int n = stored.readNBytes(head, 0, head.length);
            stored.reset();
            format = Compression.detect(head, n);
            Hashing.In raw = new Hashing.In(stored, payload, format == Compression.GZIP ? blobOut : null, progress);
            DeterministicGzip gzip = format == Compression.GZIP ? null : new DeterministicGzip(blobOut);
            byte[] buf = new byte[BUFFER];
            try (InputStream plain = decompressor(format, raw)) {
                int k;
                while ((k = plain.read(buf)) > 0) {
                    diff.update(buf, 0, k);
                    tar.feed(buf, 0, k);
                    if (gzip != null) {
                        gzip.write(buf, 0, k);
                    }
                }
                tar.finish();
            } catch (Hashing.SourceException e) {
                throw e.source();
            } catch (IOException e) {
                broken = new LayerException(Anomaly.Kind.LAYER_CORRUPT, format.id() + " layer of " + id
                        + " does not decompress: " + e.getMessage());
            } catch (TarCheck.TarException e) {
                broken = new LayerException(e.firstHeader ? Anomaly.Kind.LAYER_NOT_A_TAR : Anomaly.Kind.LAYER_CORRUPT,
                        "layer of " + id + ": " + e.getMessage());
            }
            try {
                while (raw.read(buf) > 0) {
                    // bytes after the compressed stream (or after the damage): part of the checksum
                }
            } catch (Hashing.SourceException e) {
                throw e.source();
            }
            if (gzip != null && broken == null) {
                gzip.finish();
            }
        }
        List<Anomaly.Kind> warnings = new ArrayList<>();
        String computed = "sha256:" + HexFormat.of().formatHex(payload.digest());
        boolean verified;
        try {
            verified = verifyChecksum(img, computed, expectedTarsums, tarsums, warnings);
        } catch (LayerException mismatch) {
            // a layer that is not what was pushed: say so first, with what else is wrong with it
            throw broken == null ? mismatch : new LayerException(mismatch.kind(), mismatch.getMessage()
                    + "; " + broken.getMessage());
        }
        if (broken != null) {
            throw broken;
        }
        if (format == Compression.TAR && !tar.sawEnd() && !verified) {
            throw new LayerException(Anomaly.Kind.LAYER_CORRUPT, "plain tar layer of " + id
                    + " has no end-of-archive marker and no checksum to prove it complete");
        }
        return new ConvertedLayer(id, blobOut.digest(), blobOut.count(),
                Digest.fromRaw(DigestAlgorithm.SHA256, diff.digest()), format, tar.entries(), List.copyOf(warnings));
    }

    /** The tarsums to check: only when {@code _checksum} has no {@code sha256:} payload, which is stronger and cheaper. */
    private static List<TarSum.Checksum> tarsums(V1Image img) {
        if (img.checksums() == null || img.checksums().stream().anyMatch(c -> c.startsWith("sha256:"))) {
            return List.of();
        }
        return img.checksums().stream().map(TarSum.Checksum::parse).flatMap(Optional::stream).toList();
    }

    private static TarCheck.Listener listener(Collection<TarSum> sums) {
        if (sums.isEmpty()) {
            return null;
        }
        if (sums.size() == 1) {
            return sums.iterator().next();
        }
        return new TarCheck.Listener() {
            @Override
            public void entry(TarCheck.Header h) {
                sums.forEach(s -> s.entry(h));
            }

            @Override
            public void data(byte[] b, int off, int len) {
                sums.forEach(s -> s.data(b, off, len));
            }
        };
    }

    /**
     * True when a {@code sha256:} payload checksum or a tarsum matched; throws when one exists and
     * none matched. A tarsum is {@code tarsum[.v1|.dev]+sha256:} over the image JSON and the tar's
     * entries (registry 0.5 to 0.9.0 with docker 0.6 to 0.9, spec §5).
     */
    private static boolean verifyChecksum(V1Image img, String computed, List<TarSum.Checksum> expectedTarsums,
                                          Map<String, TarSum> tarsums, List<Anomaly.Kind> warnings)
            throws LayerException {
        if (img.checksums() == null || img.checksums().isEmpty()) {
            warnings.add(Anomaly.Kind.CHECKSUM_MISSING);
            return false;
        }
        List<String> sha = img.checksums().stream().filter(c -> c.startsWith("sha256:")).toList();
        if (!sha.isEmpty()) {
            if (!sha.contains(computed)) {
                throw new LayerException(Anomaly.Kind.LAYER_CHECKSUM_MISMATCH, "images/" + img.id()
                        + ": json + layer hash to " + computed + ", _checksum says " + sha);
            }
            return true;
        }
        if (expectedTarsums.isEmpty()) {
            warnings.add(Anomaly.Kind.CHECKSUM_UNVERIFIABLE_LEGACY);
            return false;
        }
        List<String> got = new ArrayList<>();
        for (TarSum.Checksum c : expectedTarsums) {
            Set<String> possible = tarsums.get(c.version().label + "+" + c.hash()).sums(img.json());
            if (possible.contains(c.toString())) {
                return true;
            }
            got.add(possible.iterator().next());
        }
        throw new LayerException(Anomaly.Kind.LAYER_CHECKSUM_MISMATCH, "images/" + img.id()
                + ": the tarsum of json + layer is " + String.join(", ", got) + ", _checksum says "
                + expectedTarsums.stream().map(Object::toString).toList());
    }

    private static InputStream decompressor(Compression format, InputStream raw) throws IOException {
        switch (format) {
            case GZIP:
                return new GZIPInputStream(raw, BUFFER); // fewer, larger inflate calls
            case XZ:
                return new XZInputStream(raw);
            case BZIP2:
                return new BZip2CompressorInputStream(raw, true);
            default:
                return new Hashing.NonClosing(raw);
        }
    }
}
