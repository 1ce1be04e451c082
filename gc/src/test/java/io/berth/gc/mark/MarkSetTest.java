package io.berth.gc.mark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.digest.Digest;
import io.berth.core.digest.DigestAlgorithm;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MarkSetTest {
    static Digest random(SplittableRandom rnd, DigestAlgorithm alg) {
        byte[] raw = new byte[alg.hexLength() / 2];
        rnd.nextBytes(raw);
        return new Digest(alg, HexFormat.of().formatHex(raw));
    }

    @Test
    void holdsWhatWasAddedFromManyThreadsAndNothingElse() {
        SplittableRandom rnd = new SplittableRandom(7);
        List<Digest> in = new ArrayList<>();
        List<Digest> out = new ArrayList<>();
        for (int i = 0; i < 300_000; i++) {
            in.add(random(rnd, i % 10 == 0 ? DigestAlgorithm.SHA512 : DigestAlgorithm.SHA256));
            out.add(random(rnd, DigestAlgorithm.SHA256));
        }
        in.add(new Digest(DigestAlgorithm.SHA256, "0".repeat(64)));
        MarkSet set = new MarkSet();
        IntStream.range(0, in.size()).parallel().forEach(i -> set.add(in.get(i)));
        assertFalse(set.add(in.get(5)), "already there");
        assertEquals(in.size(), set.size());
        for (Digest d : in) {
            assertTrue(set.contains(d), d.toString());
        }
        for (Digest d : out) {
            assertFalse(set.contains(d), d.toString());
        }
        // 16-byte keys in tables at most 3/4 and at least 3/8 full
        long perEntry = set.memoryBytes() / set.size();
        assertTrue(perEntry >= 21 && perEntry <= 43, perEntry + " bytes per entry");
    }
}
