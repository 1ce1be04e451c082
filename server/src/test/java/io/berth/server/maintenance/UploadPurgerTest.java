package io.berth.server.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.layout.PathLayout;
import io.berth.core.reference.RepositoryName;
import io.berth.core.registry.Registry;
import io.berth.core.registry.RegistryException;
import io.berth.core.storage.StorageDriver;
import io.berth.server.config.UploadPurgeConfig;
import io.berth.storage.filesystem.FilesystemDriver;
import io.berth.storage.inmemory.InMemoryDriver;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** storage.maintenance.uploadpurging on real drivers: old sessions go, young and undatable ones stay. */
class UploadPurgerTest {
    static final RepositoryName A = new RepositoryName("team/a");
    static final RepositoryName B = new RepositoryName("team/b/deep");

    @TempDir
    Path tmp;

    record Store(Registry registry, String old1, String old2, String young, String undated) {
    }

    /** Four uploads with data: two started 8 days ago (in two repositories), one an hour ago, one without startedat. */
    static Store fill(StorageDriver driver) throws Exception {
        Registry reg = new Registry(driver);
        String old1 = reg.repository(A).uploads().start();
        String old2 = reg.repository(B).uploads().start();
        String young = reg.repository(A).uploads().start();
        String undated = reg.repository(B).uploads().start();
        for (String u : List.of(old1, young)) {
            reg.repository(A).uploads().append(u, new ByteArrayInputStream(new byte[1000]), -1);
        }
        Instant now = Instant.now();
        driver.putContent(PathLayout.uploadStartedAt(A, old1), now.minus(Duration.ofDays(8)).toString()
                .getBytes(StandardCharsets.UTF_8));
        // distribution writes RFC 3339 with an offset; both forms are read
        driver.putContent(PathLayout.uploadStartedAt(B, old2), "2020-01-02T03:04:05+02:00".getBytes(StandardCharsets.UTF_8));
        driver.putContent(PathLayout.uploadStartedAt(A, young), now.minus(Duration.ofHours(1)).toString()
                .getBytes(StandardCharsets.UTF_8));
        driver.delete(PathLayout.uploadStartedAt(B, undated));
        return new Store(reg, old1, old2, young, undated);
    }

    static UploadPurger purger(StorageDriver d, boolean dryRun, List<String> purged) {
        return new UploadPurger(d, new UploadPurgeConfig(true, Duration.ofHours(168), Duration.ofHours(24), dryRun),
                false, purged::add, Clock.systemUTC());
    }

    @Test
    void purgesOldUploadsOnTheFilesystem() throws Exception {
        check(new FilesystemDriver(tmp.resolve("fs")));
    }

    @Test
    void purgesOldUploadsInMemory() throws Exception {
        check(new InMemoryDriver());
    }

    private void check(StorageDriver driver) throws Exception {
        Store s = fill(driver);
        List<String> purged = new ArrayList<>();
        UploadPurger.Result dry = purger(driver, true, purged).purge(Instant.now().minus(Duration.ofHours(168)));
        assertEquals(4, dry.uploads());
        assertEquals(2, dry.purged().size());
        assertTrue(purged.isEmpty());
        assertEquals(1000, s.registry().repository(A).uploads().size(s.old1()), "a dry run deletes nothing");

        UploadPurger.Result r = purger(driver, false, purged).purge(Instant.now().minus(Duration.ofHours(168)));
        assertEquals(List.of(PathLayout.uploadDir(A, s.old1()), PathLayout.uploadDir(B, s.old2())), r.purged());
        assertEquals(List.of(s.old1(), s.old2()), purged);
        assertTrue(r.errors().isEmpty(), r.errors().toString());
        RegistryException gone = assertThrows(RegistryException.class,
                () -> s.registry().repository(A).uploads().size(s.old1()));
        assertEquals("BLOB_UPLOAD_UNKNOWN", gone.code().name());
        assertThrows(RegistryException.class, () -> s.registry().repository(B).uploads().size(s.old2()));
        assertEquals(1000, s.registry().repository(A).uploads().size(s.young()));
        assertTrue(driver.list(PathLayout.uploadsDir(B)).contains(PathLayout.uploadDir(B, s.undated())),
                "no startedat: kept, as distribution does");
        assertTrue(purger(driver, false, purged).purge(Instant.now().minus(Duration.ofHours(168))).purged().isEmpty());
    }

    /** Scheduled: with a short interval the first run comes within one interval (the jitter's bound). */
    @Test
    void runsInTheBackgroundAndNotWhenReadOnly() throws Exception {
        FilesystemDriver driver = new FilesystemDriver(tmp.resolve("bg"));
        Store s = fill(driver);
        UploadPurgeConfig cfg = new UploadPurgeConfig(true, Duration.ofHours(2), Duration.ofMillis(300), false);
        try (UploadPurger ro = new UploadPurger(driver, cfg, true, u -> { }, Clock.systemUTC())) {
            ro.start();
            Thread.sleep(1000);
            assertEquals(1000, s.registry().repository(A).uploads().size(s.old1()), "read-only: nothing purged");
        }
        try (UploadPurger p = new UploadPurger(driver, cfg, false, u -> { }, Clock.systemUTC())) {
            p.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (driver.list(PathLayout.uploadsDir(A)).contains(PathLayout.uploadDir(A, s.old1()))
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertFalse(driver.list(PathLayout.uploadsDir(A)).contains(PathLayout.uploadDir(A, s.old1())));
            assertEquals(1000, s.registry().repository(A).uploads().size(s.young()), "an hour old, age 2h: kept");
        }
    }
}
