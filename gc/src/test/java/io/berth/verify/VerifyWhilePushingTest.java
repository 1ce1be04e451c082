package io.berth.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.core.layout.PathLayout;
import io.berth.gc.RacingDriver;
import io.berth.storage.filesystem.FilesystemDriver;
import java.nio.file.Path;
import java.util.List;
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

    @Test
    void anImagePushedBetweenTheBlobWalkAndItsRepositoryCheckIsNotReportedMissing() throws Exception {
        // a real filesystem driver that runs a push just before the walk of repositories/ starts
        RacingDriver driver = new RacingDriver(new FilesystemDriver(tmp.resolve("store")), false);
        try (TestStore s = TestStore.wrap(driver)) {
            Fixture f = new Fixture(s);
            driver.before(PathLayout.REPOSITORIES,
                    () -> s.image(s.repo("team/late"), "late", "1", TestStore.random(4096, 99)));
            VerifyReport r = s.verify(VerifyOptions.all(2));
            assertEquals(List.of(), r.problems());
            assertEquals(3, r.totals().repositories(), "team/late was checked");
            assertEquals(f.blobs().size(), r.totals().blobs(), "its blobs arrived after the walk: next run's");
        }
    }
}
