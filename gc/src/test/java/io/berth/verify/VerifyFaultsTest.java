package io.berth.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.manifest.MediaTypes;
import io.berth.core.reference.Tag;
import io.berth.core.registry.Repository;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each fault injected alone into an otherwise clean store, on the filesystem and on S3 (S3Mock):
 * verify reports exactly that fault, once, by the file that is wrong, and nothing else.
 */
class VerifyFaultsTest {
    @TempDir
    Path tmp;

    private static String line(ProblemKind kind, String path, Object repository) {
        return kind.id() + " " + path + " " + repository;
    }

    private static List<String> lines(VerifyReport r) {
        return r.problems().stream().map(p -> line(p.kind(), p.path(), p.repository())).sorted()
                .collect(Collectors.toList());
    }

    private static void assertProblems(VerifyReport r, String... expected) {
        List<String> want = new ArrayList<>(Arrays.asList(expected));
        want.sort(null);
        assertEquals(want, lines(r), () -> "problems found:\n" + r.problems().stream().map(Problem::toString)
                .collect(Collectors.joining("\n")));
        assertEquals(expected.length, r.totals().problems());
    }

    private static VerifyReport verify(Fixture f) throws IOException {
        return f.store.verify(VerifyOptions.all(3));
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "s3"})
    void cleanStoreIsCleanAndEveryBlobIsHashed(String kind) throws Exception {
        try (TestStore s = TestStore.open(kind, tmp)) {
            Fixture f = new Fixture(s);
            VerifyReport r = verify(f);
            assertProblems(r);
            assertEquals(2, r.totals().repositories());
            assertEquals(f.blobs().size(), r.totals().blobs());
            assertEquals(f.blobs().size(), r.totals().blobsHashed());
            long bytes = 0;
            for (Digest d : f.blobs()) {
                bytes += s.driver.stat(PathLayout.blobData(d)).size();
            }
            assertEquals(bytes, r.totals().bytesHashed());
            assertEquals(4, r.totals().manifests(), "3 revisions in team/app, 1 in team/other");
            assertEquals(4, r.totals().tags());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "s3"})
    void flippedByte(String kind) throws Exception {
        try (TestStore s = TestStore.open(kind, tmp)) {
            Fixture f = new Fixture(s);
            Digest big = f.a.layers().get(0);
            byte[] content = s.driver.getContent(PathLayout.blobData(big));
            content[content.length / 2] ^= 0x01;
            s.driver.putContent(PathLayout.blobData(big), content);
            VerifyReport r = verify(f);
            // shared by two repositories, reported once: the blob is what is wrong
            assertProblems(r, line(ProblemKind.BLOB_DIGEST_MISMATCH, f.blobPath(big), null));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "s3"})
    void truncatedBlob(String kind) throws Exception {
        try (TestStore s = TestStore.open(kind, tmp)) {
            Fixture f = new Fixture(s);
            Digest big = f.a.layers().get(0);
            byte[] content = s.driver.getContent(PathLayout.blobData(big));
            s.driver.putContent(PathLayout.blobData(big), Arrays.copyOf(content, content.length - 4096));
            VerifyReport r = verify(f);
            // not also a size mismatch against the manifests: the corruption explains it
            assertProblems(r, line(ProblemKind.BLOB_DIGEST_MISMATCH, f.blobPath(big), null));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "s3"})
    void missingBlob(String kind) throws Exception {
        try (TestStore s = TestStore.open(kind, tmp)) {
            Fixture f = new Fixture(s);
            Digest layer = f.b.layers().get(0);
            s.driver.delete(PathLayout.blobData(layer));
            VerifyReport r = verify(f);
            // linked and needed by image b: the content is lost; not also a dangling link
            assertProblems(r, line(ProblemKind.BLOB_MISSING, f.blobPath(layer), Fixture.APP));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "s3"})
    void danglingLink(String kind) throws Exception {
        try (TestStore s = TestStore.open(kind, tmp)) {
            Fixture f = new Fixture(s);
            Digest nowhere = Digest.sha256("never pushed".getBytes(StandardCharsets.UTF_8));
            String link = PathLayout.layerLink(Fixture.APP, nowhere);
            s.driver.putContent(link, PathLayout.linkContent(nowhere));
            VerifyReport r = verify(f);
            assertProblems(r, line(ProblemKind.LINK_DANGLING, link, Fixture.APP));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "s3"})
    void unparsableManifestJson(String kind) throws Exception {
        try (TestStore s = TestStore.open(kind, tmp)) {
            Fixture f = new Fixture(s);
            Digest bad = s.rawRevision(Fixture.APP,
                    "{\"schemaVersion\": 2, \"layers\": [".getBytes(StandardCharsets.UTF_8), "broken");
            VerifyReport r = verify(f);
            assertProblems(r, line(ProblemKind.MANIFEST_UNPARSABLE, PathLayout.revisionLink(Fixture.APP, bad),
                    Fixture.APP));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "s3"})
    void tagToMissingRevision(String kind) throws Exception {
        try (TestStore s = TestStore.open(kind, tmp)) {
            Fixture f = new Fixture(s);
            Digest ghost = Digest.sha256("no such manifest".getBytes(StandardCharsets.UTF_8));
            String link = PathLayout.tagCurrentLink(Fixture.APP, Tag.of("ghost"));
            s.driver.putContent(link, PathLayout.linkContent(ghost));
            VerifyReport r = verify(f);
            assertProblems(r, line(ProblemKind.TAG_DANGLING, link, Fixture.APP));
        }
    }

    /** Berth reads "sha256:...\n", distribution does not: a store it serves would break there. */
    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "s3"})
    void linkWithMoreThanItsDigest(String kind) throws Exception {
        try (TestStore s = TestStore.open(kind, tmp)) {
            Fixture f = new Fixture(s);
            Digest layer = f.b.layers().get(0);
            String link = PathLayout.layerLink(Fixture.APP, layer);
            s.driver.putContent(link, (layer + "\r\n").getBytes(StandardCharsets.US_ASCII));
            VerifyReport r = verify(f);
            assertProblems(r, line(ProblemKind.LINK_NOT_CANONICAL, link, Fixture.APP));
        }
    }

    /** A tag with index entries but no current link resolves to nothing (a push writes both, index first). */
    @Test
    void tagWithoutItsCurrentLink() throws Exception {
        try (TestStore s = TestStore.open("filesystem", tmp)) {
            Fixture f = new Fixture(s);
            Tag v2 = Tag.of("v2");
            String link = PathLayout.tagCurrentLink(Fixture.APP, v2);
            s.driver.delete(PathLayout.tagDir(Fixture.APP, v2) + "/current");
            VerifyReport young = verify(f);
            assertProblems(young); // a push between its two writes
            java.nio.file.Path index = tmp.resolve("store" + PathLayout.tagIndexLink(Fixture.APP, v2, f.b.manifest()));
            java.nio.file.Files.setLastModifiedTime(index, java.nio.file.attribute.FileTime.from(
                    java.time.Instant.now().minus(java.time.Duration.ofHours(1))));
            assertProblems(verify(f), line(ProblemKind.TAG_WITHOUT_CURRENT, link, Fixture.APP));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "s3"})
    void manifestWhoseLayerIsMissing(String kind) throws Exception {
        try (TestStore s = TestStore.open(kind, tmp)) {
            Fixture f = new Fixture(s);
            Digest absent = Digest.sha256("layer that was never uploaded".getBytes(StandardCharsets.UTF_8));
            byte[] config = s.registry.blobs().get(f.a.config());
            String body = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                    + TestStore.desc(MediaTypes.OCI_CONFIG, f.a.config(), config.length) + ",\"layers\":["
                    + TestStore.desc(MediaTypes.OCI_LAYER_GZIP, absent, 29) + "]}";
            Digest m = s.rawRevision(Fixture.APP, body.getBytes(StandardCharsets.UTF_8), "nolayer");
            VerifyReport r = verify(f);
            assertProblems(r, line(ProblemKind.MANIFEST_REFERENCE_MISSING, PathLayout.revisionLink(Fixture.APP, m),
                    Fixture.APP));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "s3"})
    void everyFaultAtOnceAndTheRestOfTheChecks(String kind) throws Exception {
        try (TestStore s = TestStore.open(kind, tmp)) {
            Fixture f = new Fixture(s);
            List<String> expected = new ArrayList<>();
            // flipped byte in a small layer of team/other
            Digest small = f.c.layers().get(1);
            byte[] content = s.driver.getContent(PathLayout.blobData(small));
            content[0] ^= (byte) 0x80;
            s.driver.putContent(PathLayout.blobData(small), content);
            expected.add(line(ProblemKind.BLOB_DIGEST_MISMATCH, f.blobPath(small), null));
            // missing config blob of image b
            s.driver.delete(PathLayout.blobData(f.b.config()));
            expected.add(line(ProblemKind.BLOB_MISSING, f.blobPath(f.b.config()), Fixture.APP));
            // a layer link that does not hold a digest
            String garbled = PathLayout.layerLink(Fixture.APP, f.a.layers().get(1));
            s.driver.putContent(garbled, "sha256:xyz".getBytes(StandardCharsets.UTF_8));
            expected.add(line(ProblemKind.LINK_UNPARSABLE, garbled, Fixture.APP));
            // a revision link whose content names another manifest than its path
            String crossed = PathLayout.revisionLink(Fixture.OTHER, f.c.manifest());
            s.driver.putContent(crossed, PathLayout.linkContent(f.a.manifest()));
            expected.add(line(ProblemKind.LINK_MISMATCH, crossed, Fixture.OTHER));
            // a manifest of a type no registry serves
            Digest odd = s.rawRevision(Fixture.OTHER, ("{\"schemaVersion\":2,\"mediaType\":"
                    + "\"application/vnd.example.thing+json\"}").getBytes(StandardCharsets.UTF_8), null);
            expected.add(line(ProblemKind.MANIFEST_UNKNOWN_MEDIA_TYPE, PathLayout.revisionLink(Fixture.OTHER, odd),
                    Fixture.OTHER));
            // a manifest referencing a blob that is in the store but not linked in its repository
            Repository other = s.repo(Fixture.OTHER.value());
            Digest unlinked = f.b.layers().get(1);
            byte[] cfg = s.registry.blobs().get(f.c.config());
            Digest borrower = s.rawRevision(Fixture.OTHER, ("{\"schemaVersion\":2,\"mediaType\":\""
                    + MediaTypes.OCI_MANIFEST + "\",\"config\":" + TestStore.desc(MediaTypes.OCI_CONFIG, f.c.config(),
                    cfg.length) + ",\"layers\":[" + TestStore.desc(MediaTypes.OCI_LAYER_GZIP, unlinked, 3000) + "]}")
                    .getBytes(StandardCharsets.UTF_8), "borrower");
            expected.add(line(ProblemKind.MANIFEST_REFERENCE_NOT_LINKED,
                    PathLayout.revisionLink(Fixture.OTHER, borrower), Fixture.OTHER));
            // a descriptor with the wrong size for an intact blob
            Digest liar = s.rawRevision(Fixture.OTHER, ("{\"schemaVersion\":2,\"mediaType\":\""
                    + MediaTypes.OCI_MANIFEST + "\",\"config\":" + TestStore.desc(MediaTypes.OCI_CONFIG, f.c.config(),
                    cfg.length + 1) + ",\"layers\":[]}").getBytes(StandardCharsets.UTF_8), "liar");
            expected.add(line(ProblemKind.MANIFEST_REFERENCE_SIZE_MISMATCH, PathLayout.revisionLink(Fixture.OTHER, liar),
                    Fixture.OTHER));
            // an upload abandoned eight days ago, and a fresh one that is not reported
            String stale = other.uploads().start();
            s.driver.putContent(PathLayout.uploadStartedAt(Fixture.OTHER, stale),
                    Instant.now().minus(8, ChronoUnit.DAYS).toString().getBytes(StandardCharsets.UTF_8));
            other.uploads().start();
            expected.add(line(ProblemKind.UPLOAD_STALE, PathLayout.uploadDir(Fixture.OTHER, stale), Fixture.OTHER));
            // stray files in both trees
            String strayBlob = PathLayout.BLOBS + "/sha256/ab/not-a-digest/data";
            s.driver.putContent(strayBlob, new byte[] {1, 2});
            expected.add(line(ProblemKind.STRAY_FILE, strayBlob, null));
            String strayRepo = PathLayout.repository(Fixture.APP) + "/_manifests/notes.txt";
            s.driver.putContent(strayRepo, new byte[] {3});
            expected.add(line(ProblemKind.STRAY_FILE, strayRepo, null));

            VerifyReport r = verify(f);
            assertProblems(r, expected.toArray(String[]::new));
            assertEquals(2, r.totals().uploads());
        }
    }
}
