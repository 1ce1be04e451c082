package io.berth.core.digest;

import java.nio.ByteBuffer;
import java.security.MessageDigest;

/** An incremental hash that knows how many bytes it has consumed, so it can be matched to an upload offset. */
public final class Digester implements Cloneable {
    private final DigestAlgorithm algorithm;
    private MessageDigest md;
    private long count;

    public Digester(DigestAlgorithm algorithm) {
        this.algorithm = algorithm;
        this.md = algorithm.newMessageDigest();
    }

    public void update(byte[] b, int off, int len) {
        md.update(b, off, len);
        count += len;
    }

    public void update(ByteBuffer buf) {
        count += buf.remaining();
        md.update(buf);
    }

    public long count() {
        return count;
    }

    public DigestAlgorithm algorithm() {
        return algorithm;
    }

    /** The digest of what was consumed so far; this digester stays usable. */
    public Digest digest() {
        try {
            return Digest.fromRaw(algorithm, ((MessageDigest) md.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    public Digester copy() {
        try {
            Digester d = (Digester) super.clone();
            d.md = (MessageDigest) md.clone();
            return d;
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }
}
