package io.berth.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.digest.Digest;
import io.berth.core.digest.DigestAlgorithm;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BlobIndexAndTimeSpecsTest {

    private static Digest digest(DigestAlgorithm alg, int i) {
        return Digest.of(alg, ("blob " + i).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void packedIndexFindsEveryDigestInAnyArrivalOrderAndGivesThemBackSorted() {
        List<Digest> all = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            all.add(digest(i % 10 == 0 ? DigestAlgorithm.SHA512 : DigestAlgorithm.SHA256, i));
        }
        Collections.shuffle(all, new Random(7)); // a walk that breaks the lexical order
        BlobIndex index = new BlobIndex();
        long total = 0;
        for (Digest d : all) {
            long size = d.hex().charAt(5) * 1000L + d.hex().charAt(9);
            index.add(d, size);
            total += size;
        }
        index.seal();
        assertEquals(5000, index.count());
        assertEquals(total, index.totalBytes());
        for (Digest d : all) {
            assertEquals(d.hex().charAt(5) * 1000L + d.hex().charAt(9), index.size(d), d.toString());
        }
        assertFalse(index.contains(digest(DigestAlgorithm.SHA256, 5001)));
        assertFalse(index.contains(digest(DigestAlgorithm.SHA512, 5002)));
        List<Digest> back = new ArrayList<>();
        index.forEach((d, size) -> back.add(d));
        List<Digest> sorted = new ArrayList<>(all);
        sorted.sort(java.util.Comparator.comparing((Digest d) -> d.algorithm()).thenComparing(Digest::hex));
        assertEquals(sorted, back);
    }

    @Test
    void durationsAndPointsInTime() {
        assertEquals(Duration.ofDays(30), TimeSpecs.duration("30d"));
        assertEquals(Duration.ofHours(12), TimeSpecs.duration("12h"));
        assertEquals(Duration.ofMinutes(90), TimeSpecs.duration("90m"));
        assertEquals(Duration.ofDays(14), TimeSpecs.duration("2w"));
        assertEquals(Duration.ofDays(7), TimeSpecs.duration("P7D"));
        assertEquals(Duration.ofSeconds(0), TimeSpecs.duration("0s"));
        assertThrows(IllegalArgumentException.class, () -> TimeSpecs.duration("soon"));
        assertThrows(IllegalArgumentException.class, () -> TimeSpecs.duration("-P1D"));
        Instant now = Instant.parse("2024-06-01T12:00:00Z");
        assertEquals(Instant.parse("2024-05-02T12:00:00Z"), TimeSpecs.since("30d", now));
        assertEquals(Instant.parse("2024-05-01T00:00:00Z"), TimeSpecs.since("2024-05-01", now));
        assertEquals(Instant.parse("2024-05-01T08:00:00Z"), TimeSpecs.since("2024-05-01T10:00:00+02:00", now));
        assertThrows(IllegalArgumentException.class, () -> TimeSpecs.since("yesterday", now));
        // startedat as Go's time.RFC3339 writes it, and as Berth writes it
        assertEquals(Instant.parse("2024-05-01T08:00:00Z"), TimeSpecs.rfc3339("2024-05-01T10:00:00+02:00"));
        assertTrue(TimeSpecs.rfc3339("2024-05-01T10:00:00.123456789Z").isAfter(Instant.parse("2024-05-01T10:00:00Z")));
    }
}
