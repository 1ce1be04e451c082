package io.berth.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.core.layout.PathLayout;
import io.berth.core.storage.FileInfo;
import io.berth.core.storage.FileWriter;
import io.berth.core.storage.StorageDriver;
import io.berth.core.storage.WalkVisitor;
import io.berth.storage.filesystem.FilesystemDriver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

/**
 * The registry keeps taking pushes while verify runs: an image pushed after the walk of blobs/
 * and before its repository is checked has blobs the walk never saw. They must not be reported
 * missing (verify stats a blob its index lacks before saying so).
 */
class VerifyWhilePushingTest {
    @TempDir
    Path tmp;

    /** A real filesystem driver that runs a push just before the walk of repositories/ starts. */
    static final class PushDuringWalk implements StorageDriver {
        final StorageDriver d;
        Runnable beforeRepositoryWalk;

        PushDuringWalk(StorageDriver d) {
            this.d = d;
        }

        @Override
        public void walk(String path, WalkVisitor visitor) throws IOException {
            if (path.equals(PathLayout.REPOSITORIES) && beforeRepositoryWalk != null) {
                Runnable r = beforeRepositoryWalk;
                beforeRepositoryWalk = null;
                r.run();
            }
            d.walk(path, visitor);
        }

        @Override public String name() { return d.name(); }
        @Override public byte[] getContent(String p) throws IOException { return d.getContent(p); }
        @Override public void putContent(String p, byte[] c) throws IOException { d.putContent(p, c); }
        @Override public InputStream reader(String p, long o) throws IOException { return d.reader(p, o); }
        @Override public FileWriter writer(String p, boolean a) throws IOException { return d.writer(p, a); }
        @Override public FileInfo stat(String p) throws IOException { return d.stat(p); }
        @Override public List<String> list(String p) throws IOException { return d.list(p); }
        @Override public void move(String s, String t) throws IOException { d.move(s, t); }
        @Override public void delete(String p) throws IOException { d.delete(p); }
        @Override public Optional<Path> localFile(String p) { return d.localFile(p); }
    }

    @Test
    void anImagePushedBetweenTheBlobWalkAndItsRepositoryCheckIsNotReportedMissing() throws Exception {
        PushDuringWalk driver = new PushDuringWalk(new FilesystemDriver(tmp.resolve("store")));
        try (TestStore s = TestStore.wrap(driver)) {
            Fixture f = new Fixture(s);
            driver.beforeRepositoryWalk = () -> {
                try {
                    s.image(s.repo("team/late"), "late", "1", TestStore.random(4096, 99));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            };
            VerifyReport r = s.verify(VerifyOptions.all(2));
            assertEquals(List.of(), r.problems());
            assertEquals(3, r.totals().repositories(), "team/late was checked");
            assertEquals(f.blobs().size(), r.totals().blobs(), "its blobs arrived after the walk: next run's");
        }
    }
}
