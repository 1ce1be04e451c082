package io.berth.core.walk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.reference.RepositoryName;
import io.berth.core.reference.Tag;
import io.berth.core.storage.FileInfo;
import io.berth.core.storage.StorageDriver;
import io.berth.storage.inmemory.InMemoryDriver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A tag's current link is taken from the listing's MD5 when it matches one of the tag's index
 * entries, without reading the link; otherwise the link is read. The store here holds a current
 * link that disagrees with the MD5, so which of the two was used shows in the result.
 */
class RepositoryGraphMd5Test {
    static final RepositoryName NAME = RepositoryName.of("team/app");
    static final Tag TAG = Tag.of("v1");
    final Digest listed = Digest.sha256("listed".getBytes(StandardCharsets.UTF_8));
    final Digest stored = Digest.sha256("stored".getBytes(StandardCharsets.UTF_8));

    static String md5(byte[] b) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    RepositoryEntries entries(String currentMd5) {
        String current = PathLayout.tagCurrentLink(NAME, TAG);
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        FileInfo cur = new FileInfo(current, PathLayout.linkContent(listed).length, t, false, currentMd5);
        TreeMap<Digest, FileInfo> index = new TreeMap<>();
        index.put(listed, new FileInfo(PathLayout.tagIndexLink(NAME, TAG, listed), 71, t, false));
        index.put(stored, new FileInfo(PathLayout.tagIndexLink(NAME, TAG, stored), 71, t, false));
        return new RepositoryEntries(NAME, new TreeMap<>(), new TreeMap<>(),
                new TreeMap<>(Map.of(TAG, new RepositoryEntries.TagEntries(TAG, cur, index))), new TreeMap<>());
    }

    @Test
    void anMd5MatchingAnIndexEntrySparesTheReadAndAnyOtherIsRead() throws Exception {
        StorageDriver d = new InMemoryDriver();
        d.putContent(PathLayout.tagCurrentLink(NAME, TAG), PathLayout.linkContent(stored));
        assertEquals(listed, RepositoryGraph.load(d, entries(md5(PathLayout.linkContent(listed)))).tags().get(TAG));
        assertEquals(stored, RepositoryGraph.load(d, entries(md5("something else".getBytes(StandardCharsets.UTF_8))))
                .tags().get(TAG));
        assertEquals(stored, RepositoryGraph.load(d, entries(null)).tags().get(TAG));
    }
}
