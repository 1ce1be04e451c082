package io.berth.core.registry;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.digest.Digest;
import io.berth.core.reference.RepositoryName;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The descriptor cache tells revision links this process wrote (and when) from links it only saw. */
class RevisionWriteTimesTest {
    static final RepositoryName REPO = RepositoryName.of("a/b");
    static final Digest D = Digest.sha256("m".getBytes(StandardCharsets.UTF_8));
    static final Duration TEN_MINUTES = Duration.ofMinutes(10);

    @Test
    void writeTimesAreKeptApartFromLooks() {
        BlobDescriptorCache cache = new BlobDescriptorCache(100);
        assertFalse(cache.revisionWrittenWithin(REPO, D, TEN_MINUTES));
        cache.revisionLinked(REPO, D);
        assertTrue(cache.isRevision(REPO, D));
        assertFalse(cache.revisionWrittenWithin(REPO, D, TEN_MINUTES), "a look says nothing of the link's age");
        cache.revisionWritten(REPO, D);
        cache.revisionLinked(REPO, D);
        assertTrue(cache.revisionWrittenWithin(REPO, D, TEN_MINUTES), "a later look keeps the write time");
        assertFalse(cache.revisionWrittenWithin(REPO, D, Duration.ZERO), "older than the bound");
        assertFalse(cache.revisionWrittenWithin(RepositoryName.of("a/c"), D, TEN_MINUTES), "per repository");
        cache.revisionUnlinked(REPO, D);
        assertFalse(cache.revisionWrittenWithin(REPO, D, TEN_MINUTES));
        assertFalse(cache.isRevision(REPO, D));
    }

    @Test
    void nothingIsAnsweredWhileAGcMayBeRunning() {
        BlobDescriptorCache cache = new BlobDescriptorCache(100);
        cache.watch();
        cache.confirm(System.nanoTime());
        cache.revisionWritten(REPO, D);
        assertTrue(cache.revisionWrittenWithin(REPO, D, TEN_MINUTES));
        cache.distrust();
        assertFalse(cache.revisionWrittenWithin(REPO, D, TEN_MINUTES));
        cache.confirm(System.nanoTime());
        assertFalse(cache.revisionWrittenWithin(REPO, D, TEN_MINUTES), "emptied when a gc was seen");
        assertFalse(BlobDescriptorCache.NONE.revisionWrittenWithin(REPO, D, TEN_MINUTES));
    }
}
