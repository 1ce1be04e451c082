package io.berth.storage.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PartBufferTest {

    @Test
    void holdsWritesOfEverySizeAcrossBlocksAndStreamsThemAgainOnEachCall() throws IOException {
        Random r = new Random(7);
        PartBuffer buf = new PartBuffer();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        int[] sizes = {1, 0, 8191, 64 * 1024, 1, PartBuffer.BLOCK - 3, 7, 3 * PartBuffer.BLOCK + 5, 100_000};
        for (int size : sizes) {
            byte[] chunk = new byte[size + 10];
            r.nextBytes(chunk);
            buf.write(chunk, 5, size); // an offset into the caller's array
            expected.write(chunk, 5, size);
        }
        assertEquals(expected.size(), buf.length());
        assertArrayEquals(expected.toByteArray(), buf.stream().readAllBytes());
        assertArrayEquals(expected.toByteArray(), readByteByByte(buf.stream()), "single-byte reads, a second stream");
    }

    @Test
    void clearKeepsNothingOfThePreviousPart() throws IOException {
        PartBuffer buf = new PartBuffer();
        byte[] first = new byte[2 * PartBuffer.BLOCK + 17];
        new Random(1).nextBytes(first);
        buf.write(first, 0, first.length);
        buf.clear();
        assertEquals(0, buf.length());
        assertEquals(-1, buf.stream().read());
        byte[] second = new byte[PartBuffer.BLOCK + 1];
        new Random(2).nextBytes(second);
        buf.write(second, 0, second.length);
        assertArrayEquals(second, buf.stream().readAllBytes());
        buf.release();
        assertEquals(0, buf.stream().readAllBytes().length);
    }

    @Test
    void aStreamResetToItsMarkReplaysTheSameBytes() throws IOException {
        PartBuffer buf = new PartBuffer();
        byte[] data = new byte[PartBuffer.BLOCK + 4096];
        new Random(3).nextBytes(data);
        buf.write(data, 0, data.length);
        InputStream in = buf.stream();
        assertTrue(in.markSupported());
        in.mark(Integer.MAX_VALUE);
        in.readNBytes(PartBuffer.BLOCK + 100); // a first attempt that failed part way
        in.reset();
        assertArrayEquals(data, in.readAllBytes());
    }

    @Test
    void contentEqualsComparesEveryBlock() {
        PartBuffer buf = new PartBuffer();
        byte[] data = new byte[2 * PartBuffer.BLOCK + 9];
        new Random(4).nextBytes(data);
        buf.write(data, 0, data.length);
        assertTrue(buf.contentEquals(data.clone()));
        byte[] flipped = data.clone();
        flipped[PartBuffer.BLOCK + 5] ^= 1; // in the second block
        assertFalse(buf.contentEquals(flipped));
        assertFalse(buf.contentEquals(java.util.Arrays.copyOf(data, data.length - 1)));
    }

    @Test
    void releasedBlocksServeTheNextBufferWithoutShowingTheirOldBytes() throws IOException {
        PartBuffer first = new PartBuffer();
        byte[] old = new byte[3 * PartBuffer.BLOCK];
        java.util.Arrays.fill(old, (byte) 0x5a);
        first.write(old, 0, old.length);
        first.release();
        int pooled = PartBuffer.pooled();
        assertTrue(pooled >= 3, "the three blocks wait for the next writer: " + pooled);

        PartBuffer next = new PartBuffer();
        byte[] data = new byte[PartBuffer.BLOCK + 10];
        new Random(5).nextBytes(data);
        next.write(data, 0, 7); // a small first write takes a released block, not a small array
        next.write(data, 7, data.length - 7);
        assertEquals(pooled - 2, PartBuffer.pooled(), "two blocks reused");
        assertArrayEquals(data, next.stream().readAllBytes());
        assertTrue(next.contentEquals(data));
        next.clear();
        next.write(data, 0, 3);
        assertArrayEquals(java.util.Arrays.copyOf(data, 3), next.stream().readAllBytes(), "nothing of the old part shows");
        next.release();
    }

    @Test
    void thePoolIsBoundedAndDroppedBuffersStayOutOfIt() {
        PartBuffer hog = new PartBuffer(); // takes every waiting block, and allocates the rest
        hog.write(new byte[(PartBuffer.POOLED + 5) * PartBuffer.BLOCK], 0, (PartBuffer.POOLED + 5) * PartBuffer.BLOCK);
        assertEquals(0, PartBuffer.pooled());
        PartBuffer failed = new PartBuffer();
        failed.write(new byte[2 * PartBuffer.BLOCK], 0, 2 * PartBuffer.BLOCK);
        failed.drop();
        assertEquals(0, PartBuffer.pooled(), "a dropped buffer's blocks may still be read by a call in flight");
        hog.release();
        assertEquals(PartBuffer.POOLED, PartBuffer.pooled());
    }

    private static byte[] readByteByByte(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0; ) {
            out.write(b);
        }
        return out.toByteArray();
    }
}
