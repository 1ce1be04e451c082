package io.berth.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.storage.PathNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** --incremental with its SQLite history, --quarantine, --repository: on the filesystem and on S3. */
class VerifyRunModesTest {
    @TempDir
    Path tmp;

    private static void flipByte(TestStore s, Digest d) throws IOException {
        byte[] content = s.driver.getContent(PathLayout.blobData(d));
        content[content.length - 1] ^= 0x10;
        s.driver.putContent(PathLayout.blobData(d), content);
    }

    private static List<String> kindsAndPaths(VerifyReport r) {
        return r.problems().stream().map(p -> p.kind().id() + " " + p.path()).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "s3"})
    void incrementalRunsHashOnlyWhatIsNewOrDue(String kind) throws Exception {
        try (TestStore s = TestStore.open(kind, tmp)) {
            Fixture f = new Fixture(s);
            Path state = tmp.resolve("state/verify.db");
            Instant monthAgo = Instant.now().minus(30, ChronoUnit.DAYS);
            VerifyOptions incremental = VerifyOptions.all(2).withState(state, monthAgo);
            int all = f.blobs().size();

            VerifyReport first = s.verify(incremental);
            assertEquals(List.of(), first.problems());
            assertEquals(all, first.totals().blobsHashed(), "an empty history skips nothing");
            assertTrue(Files.isRegularFile(state));

            VerifyReport second = s.verify(incremental);
            assertEquals(0, second.totals().blobsHashed(), "nothing new, nothing due");
            assertEquals(all, second.totals().blobsSkipped());
            assertEquals(0, second.totals().bytesHashed());

            // a new image: only its three blobs (config, layer, manifest) are hashed
            s.image(s.repo("team/new"), "n", "1", TestStore.random(777, 9));
            VerifyReport third = s.verify(incremental);
            assertEquals(3, third.totals().blobsHashed());
            assertEquals(all, third.totals().blobsSkipped());

            // corrupted after its last verification, same size: not due yet, so not re-hashed
            Digest victim = f.b.layers().get(1);
            flipByte(s, victim);
            VerifyReport notDue = s.verify(incremental);
            assertEquals(List.of(), notDue.problems());
            assertEquals(0, notDue.totals().blobsHashed());

            // once due (verified before the cut-off), it is re-hashed and found, and stays due
            VerifyOptions due = VerifyOptions.all(2).withState(state, Instant.now().plusSeconds(1));
            VerifyReport found = s.verify(due);
            assertEquals(List.of("blob-digest-mismatch " + PathLayout.blobData(victim)), kindsAndPaths(found));
            assertEquals(all + 3, found.totals().blobsHashed());
            VerifyReport again = s.verify(incremental);
            assertEquals(List.of("blob-digest-mismatch " + PathLayout.blobData(victim)), kindsAndPaths(again),
                    "a corrupt blob is dropped from the history, so it is re-hashed every run");
            assertEquals(1, again.totals().blobsHashed());

            // a blob whose size changed since it was verified is re-hashed even if not due
            Digest shrunk = f.c.layers().get(1);
            byte[] c = s.driver.getContent(PathLayout.blobData(shrunk));
            s.driver.putContent(PathLayout.blobData(shrunk), Arrays.copyOf(c, c.length - 1));
            VerifyReport sized = s.verify(incremental);
            assertEquals(List.of("blob-digest-mismatch " + PathLayout.blobData(victim),
                    "blob-digest-mismatch " + PathLayout.blobData(shrunk)), kindsAndPaths(sized));
            assertEquals(2, sized.totals().blobsHashed());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "s3"})
    void quarantineMovesCorruptBlobsAsideAndNeverDeletesThem(String kind) throws Exception {
        try (TestStore s = TestStore.open(kind, tmp)) {
            Fixture f = new Fixture(s);
            Digest big = f.a.layers().get(0);
            flipByte(s, big);
            byte[] corrupt = s.driver.getContent(PathLayout.blobData(big));

            VerifyReport r = s.verify(VerifyOptions.all(2).withQuarantine(true));
            assertEquals(1, r.problems().size(), r.problems()::toString);
            Problem p = r.problems().get(0);
            assertEquals(ProblemKind.BLOB_DIGEST_MISMATCH, p.kind());
            String to = PathLayout.quarantineData(big, 0);
            assertEquals(to, p.quarantinedTo());
            assertThrows(PathNotFoundException.class, () -> s.driver.stat(PathLayout.blobData(big)));
            assertArrayEquals(corrupt, s.driver.getContent(to), "moved byte for byte");

            // next run: the content is gone from blobs/, which both repositories still need
            VerifyReport after = s.verify(VerifyOptions.all(2).withQuarantine(true));
            assertEquals(List.of("blob-missing " + PathLayout.blobData(big), "blob-missing " + PathLayout.blobData(big)),
                    kindsAndPaths(after));
            assertEquals(List.of(Fixture.APP.value(), Fixture.OTHER.value()),
                    after.problems().stream().map(Problem::repository).sorted().toList());

            // the same digest corrupted again (re-pushed, then damaged): the first copy is kept
            s.driver.putContent(PathLayout.blobData(big), corrupt);
            VerifyReport twice = s.verify(VerifyOptions.all(2).withQuarantine(true));
            assertEquals(PathLayout.quarantineData(big, 1), twice.problems().get(0).quarantinedTo());
            assertArrayEquals(corrupt, s.driver.getContent(to));
            assertArrayEquals(corrupt, s.driver.getContent(PathLayout.quarantineData(big, 1)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "s3"})
    void repositoryScopeChecksOnlyThatRepositoryAndWhatItReaches(String kind) throws Exception {
        try (TestStore s = TestStore.open(kind, tmp)) {
            Fixture f = new Fixture(s);
            // faults in team/other only: its own layer corrupted, a dangling tag
            Digest otherLayer = f.c.layers().get(1);
            flipByte(s, otherLayer);
            String ghost = PathLayout.tagCurrentLink(Fixture.OTHER, io.berth.core.reference.Tag.of("ghost"));
            s.driver.putContent(ghost, PathLayout.linkContent(Digest.sha256(new byte[] {42})));
            // a nested repository below team/app is not part of team/app
            s.image(s.repo("team/app/nested"), "nested", "x", TestStore.random(64, 11));
            s.driver.putContent(PathLayout.layerLink(io.berth.core.reference.RepositoryName.of("team/app/nested"),
                    Digest.sha256(new byte[] {7})), PathLayout.linkContent(Digest.sha256(new byte[] {7})));

            VerifyReport app = s.verify(VerifyOptions.all(2).withRepository(Fixture.APP));
            assertEquals(List.of(), app.problems());
            assertEquals(1, app.totals().repositories());
            assertEquals(f.appBlobs().size(), app.totals().blobs());
            assertEquals(f.appBlobs().size(), app.totals().blobsHashed(), "only the blobs team/app reaches");
            assertEquals("repository team/app", app.scope());

            VerifyReport other = s.verify(VerifyOptions.all(2).withRepository(Fixture.OTHER));
            assertEquals(List.of("blob-digest-mismatch " + PathLayout.blobData(otherLayer), "tag-dangling " + ghost),
                    kindsAndPaths(other));
            assertEquals(4, other.totals().blobsHashed(), "config, two layers, manifest");

            VerifyReport none = s.verify(VerifyOptions.all(2).withRepository(
                    io.berth.core.reference.RepositoryName.of("no/such")));
            assertEquals(List.of(), none.problems());
            assertEquals(0, none.totals().blobsHashed());
        }
    }

    @Test
    void aStateFileThatIsNotADatabaseStopsTheRun() throws Exception {
        try (TestStore s = TestStore.open("inmemory", tmp)) {
            new Fixture(s);
            Path bogus = Files.writeString(tmp.resolve("state.db"), "this is not sqlite, and it is long enough to matter");
            IOException e = assertThrows(IOException.class,
                    () -> s.verify(VerifyOptions.all(1).withState(bogus, Instant.now())));
            assertTrue(e.getMessage().contains(bogus.toString()), e.getMessage());
        }
    }
}
