package io.berth.core.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DigesterTest {

    private static byte[] data(int n) {
        byte[] b = new byte[n];
        new Random(42).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @EnumSource(DigestAlgorithm.class)
    void emptyDigesterIsDigestOfNothing(DigestAlgorithm alg) {
        Digester d = new Digester(alg);
        assertEquals(Digest.of(alg, new byte[0]), d.digest());
        assertEquals(0, d.count());
        assertEquals(alg, d.algorithm());
    }

    @ParameterizedTest
    @EnumSource(DigestAlgorithm.class)
    void incrementalEqualsOneShot(DigestAlgorithm alg) {
        byte[] content = data(100_003);
        Digester d = new Digester(alg);
        int off = 0;
        int step = 1;
        while (off < content.length) {
            int len = Math.min(step, content.length - off);
            d.update(content, off, len);
            off += len;
            step = step * 3 + 1;
        }
        assertEquals(content.length, d.count());
        assertEquals(Digest.of(alg, content), d.digest());
    }

    @Test
    void byteBufferUpdateCountsAndHashes() {
        byte[] content = data(5000);
        Digester d = new Digester(DigestAlgorithm.SHA256);
        d.update(content, 0, 1000);
        ByteBuffer buf = ByteBuffer.wrap(content, 1000, 4000);
        d.update(buf);
        assertEquals(0, buf.remaining(), "the buffer is consumed");
        assertEquals(5000, d.count());
        assertEquals(Digest.sha256(content), d.digest());

        Digester direct = new Digester(DigestAlgorithm.SHA256);
        ByteBuffer db = ByteBuffer.allocateDirect(content.length);
        db.put(content).flip();
        direct.update(db);
        assertEquals(Digest.sha256(content), direct.digest());
        assertEquals(5000, direct.count());
    }

    @Test
    void digestDoesNotResetState() {
        byte[] ab = "ab".getBytes(StandardCharsets.US_ASCII);
        Digester d = new Digester(DigestAlgorithm.SHA256);
        d.update(ab, 0, 1);
        Digest afterA = d.digest();
        assertEquals(Digest.sha256("a".getBytes(StandardCharsets.US_ASCII)), afterA);
        assertEquals(afterA, d.digest(), "digest() is repeatable");
        d.update(ab, 1, 1);
        assertEquals(Digest.sha256(ab), d.digest());
        assertEquals(2, d.count());
    }

    @Test
    void copyIsIndependent() {
        byte[] content = "hello world".getBytes(StandardCharsets.US_ASCII);
        Digester original = new Digester(DigestAlgorithm.SHA256);
        original.update(content, 0, 5);
        Digester copy = original.copy();
        assertNotSame(original, copy);
        assertEquals(original.digest(), copy.digest());
        assertEquals(5, copy.count());

        copy.update(content, 5, content.length - 5);
        assertEquals(5, original.count(), "updating the copy leaves the original's count");
        assertEquals(Digest.sha256("hello".getBytes(StandardCharsets.US_ASCII)), original.digest());
        assertEquals(Digest.sha256(content), copy.digest());

        original.update("!".getBytes(StandardCharsets.US_ASCII), 0, 1);
        assertEquals(Digest.sha256("hello!".getBytes(StandardCharsets.US_ASCII)), original.digest());
        assertEquals(Digest.sha256(content), copy.digest(), "updating the original leaves the copy");
        assertNotEquals(original.digest(), copy.digest());
        assertEquals(DigestAlgorithm.SHA256, copy.algorithm());
    }
}
