package io.berth.core.digest;

import java.util.HexFormat;
import java.util.Objects;

/**
 * A content digest, {@code <algorithm>:<lower-case hex>}. Validated at construction, so a
 * {@code Digest} in hand is always safe to put into a storage path.
 */
public record Digest(DigestAlgorithm algorithm, String hex) implements Comparable<Digest> {

    public Digest {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(hex, "hex");
        if (hex.length() != algorithm.hexLength()) {
            throw new InvalidDigestException(algorithm.id() + ":" + hex,
                    "expected " + algorithm.hexLength() + " hex characters, got " + hex.length());
        }
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                throw new InvalidDigestException(algorithm.id() + ":" + hex, "not lower-case hex");
            }
        }
    }

    /** Parses {@code sha256:<hex>}; throws {@link InvalidDigestException} on anything else. */
    public static Digest parse(String s) {
        if (s == null) {
            throw new InvalidDigestException("null", "missing digest");
        }
        int colon = s.indexOf(':');
        if (colon <= 0) {
            throw new InvalidDigestException(s, "missing algorithm prefix");
        }
        String alg = s.substring(0, colon);
        DigestAlgorithm algorithm = DigestAlgorithm.byId(alg).orElseThrow(() -> {
            // go-digest: unknown but matching algorithm:encoded is unsupported; anything else is invalid
            if (alg.matches("[a-z0-9]+(?:[+._-][a-z0-9]+)*") && s.substring(colon + 1).matches("[a-zA-Z0-9=_-]+")) {
                return new UnsupportedDigestAlgorithmException(s, alg);
            }
            return new InvalidDigestException(s, "malformed algorithm");
        });
        return new Digest(algorithm, s.substring(colon + 1));
    }

    public static Digest of(DigestAlgorithm algorithm, byte[] content) {
        return new Digest(algorithm, HexFormat.of().formatHex(algorithm.newMessageDigest().digest(content)));
    }

    public static Digest sha256(byte[] content) {
        return of(DigestAlgorithm.SHA256, content);
    }

    public static Digest fromRaw(DigestAlgorithm algorithm, byte[] raw) {
        return new Digest(algorithm, HexFormat.of().formatHex(raw));
    }

    @Override
    public String toString() {
        return algorithm.id() + ":" + hex;
    }

    @Override
    public int compareTo(Digest o) {
        return toString().compareTo(o.toString());
    }
}
