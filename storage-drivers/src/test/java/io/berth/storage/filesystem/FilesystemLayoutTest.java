package io.berth.storage.filesystem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.storage.FileWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the shared suite cannot see: the bytes on disk, which must match distribution's tree. */
class FilesystemLayoutTest {
    @TempDir
    Path root;
    FilesystemDriver driver;

    @BeforeEach
    void setUp() {
        driver = new FilesystemDriver(root);
    }

    @Test
    void putContentWritesExactlyOneFileAtTheMappedPath() throws IOException {
        byte[] link = "sha256:4bf3d0e19af8069cca924c84fccd58558900bd382ffbde49778906172aa135fb"
                .getBytes(StandardCharsets.US_ASCII);
        driver.putContent("/docker/registry/v2/x/link", link);
        assertArrayEquals(link, Files.readAllBytes(root.resolve("docker/registry/v2/x/link")));
        assertEquals(List.of(root.resolve("docker/registry/v2/x/link")), regularFiles());
    }

    @Test
    void deleteEntriesRemovesEachEntryDirectoryWithWhateverElseItHolds() throws IOException {
        Path blobs = root.resolve("docker/registry/v2/blobs/sha256/ab");
        Path plain = blobs.resolve("ab01");
        Path stray = blobs.resolve("ab02");
        Path nested = blobs.resolve("ab03");
        Path noFile = blobs.resolve("ab04");
        Path kept = blobs.resolve("ab05");
        for (Path d : List.of(plain, stray, nested, kept)) {
            Files.createDirectories(d);
            Files.write(d.resolve("data"), new byte[] {1});
        }
        Files.write(stray.resolve(".tmp-left-by-a-crash"), new byte[] {2});
        Files.createDirectories(nested.resolve("sub"));
        Files.write(nested.resolve("sub/x"), new byte[] {3});
        Files.createDirectories(noFile);
        Files.write(noFile.resolve("other"), new byte[] {4});
        String prefix = "/docker/registry/v2/blobs/sha256/ab/";
        driver.deleteEntries(List.of(prefix + "ab01/data", prefix + "ab02/data", prefix + "ab03/data",
                prefix + "ab04/data", prefix + "ab06/data"));
        // as distribution's vacuum removes a blob's directory: the entry goes whole
        for (Path d : List.of(plain, stray, nested, noFile)) {
            assertTrue(Files.notExists(d), d + " still there");
        }
        assertArrayEquals(new byte[] {1}, Files.readAllBytes(kept.resolve("data")));
        assertTrue(Files.isDirectory(blobs));
        // a file directly under the root is no entry: its directory would be the store itself
        Files.write(root.resolve("top"), new byte[] {5});
        assertThrows(io.berth.core.storage.InvalidPathException.class, () -> driver.deleteEntries(List.of("/top")));
        assertTrue(Files.exists(root.resolve("top")));
    }

    @Test
    void writerAndMoveWriteAtTheMappedPaths() throws IOException {
        try (FileWriter w = driver.writer("/docker/registry/v2/repositories/r/_uploads/u/data", false)) {
            w.write(new byte[] {1, 2, 3});
            w.commit();
        }
        driver.move("/docker/registry/v2/repositories/r/_uploads/u/data", "/docker/registry/v2/blobs/sha256/03/0399/data");
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(root.resolve("docker/registry/v2/blobs/sha256/03/0399/data")));
        assertEquals(List.of(root.resolve("docker/registry/v2/blobs/sha256/03/0399/data")), regularFiles());
        assertEquals(Optional.of(root.resolve("docker/registry/v2/blobs/sha256/03/0399/data")),
                driver.localFile("/docker/registry/v2/blobs/sha256/03/0399/data"));
    }

    @Test
    void readsTreesWrittenByOthers() throws IOException {
        Path file = root.resolve("docker/registry/v2/repositories/lib/a/_manifests/tags/1.0/current/link");
        Files.createDirectories(file.getParent());
        Files.write(file, "sha256:00".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals("sha256:00".getBytes(StandardCharsets.US_ASCII),
                driver.getContent("/docker/registry/v2/repositories/lib/a/_manifests/tags/1.0/current/link"));
        assertEquals(List.of("/docker/registry/v2/repositories/lib/a/_manifests/tags/1.0"),
                driver.list("/docker/registry/v2/repositories/lib/a/_manifests/tags"));
    }

    @Test
    void noTempFilesLeftBehindAndNoneListed() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                byte[] value = new byte[100_000 + t];
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        driver.putContent("/d/link", value);
                        driver.putContent("/d/" + i, value);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        try (Stream<Path> all = Files.walk(root)) {
            assertEquals(List.of(), all.filter(p -> p.getFileName().toString().startsWith(FilesystemDriver.TEMP_PREFIX)).toList());
        }
        assertEquals(26, regularFiles().size());

        // A temp file of a putContent in flight must not show in listings or walks.
        Files.write(root.resolve("d/" + FilesystemDriver.TEMP_PREFIX + "inflight"), new byte[] {1});
        assertTrue(driver.list("/d").stream().noneMatch(p -> p.contains(FilesystemDriver.TEMP_PREFIX)));
        List<String> walked = new java.util.ArrayList<>();
        driver.walk("/", info -> {
            walked.add(info.path());
            return io.berth.core.storage.WalkVisitor.Result.CONTINUE;
        });
        assertEquals(27, walked.size());
    }

    @Test
    void failedPutLeavesNoTempFile() throws IOException {
        driver.putContent("/f/file", new byte[] {1});
        Files.createDirectories(root.resolve("f/dir/child")); // rename onto a non-empty dir fails
        assertThrows(IOException.class, () -> driver.putContent("/f/dir", new byte[] {2}));
        try (Stream<Path> entries = Files.list(root.resolve("f"))) {
            assertEquals(List.of("dir", "file"), entries.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void localFileOnlyForRegularFiles() throws IOException {
        driver.putContent("/l/file", new byte[] {1});
        assertEquals(Optional.of(root.resolve("l/file")), driver.localFile("/l/file"));
        assertEquals(Optional.empty(), driver.localFile("/l"));
        assertEquals(Optional.empty(), driver.localFile("/l/missing"));
        assertEquals(Optional.empty(), driver.localFile("/l/../../etc/passwd"));
    }

    @Test
    void nameIsFilesystem() {
        assertEquals("filesystem", driver.name());
    }

    private List<Path> regularFiles() throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
