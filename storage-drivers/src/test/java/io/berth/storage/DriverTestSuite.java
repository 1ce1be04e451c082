package io.berth.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.berth.core.storage.FileInfo;
import io.berth.core.storage.FileWriter;
import io.berth.core.storage.InvalidOffsetException;
import io.berth.core.storage.InvalidPathException;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.core.storage.WalkVisitor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * The behaviour every {@link StorageDriver} must share, after distribution's driver testsuites.
 * A driver's test subclasses this and supplies {@link #newDriver()}; the tests use only the SPI,
 * so object-store drivers run them unchanged. Written against what the SPI promises: no test
 * relies on empty directories surviving, or on a writer's bytes showing before commit.
 */
public abstract class DriverTestSuite {

    /** Paths every method must reject: distribution's PathRegexp plus no "." or ".." segments. */
    protected static final List<String> INVALID_PATHS = Arrays.asList(
            null, "", "a", "a/b", "/", "//", "/a//b", "/a/../b", "/a/./b", "/a/..", "/a/.", "/..", "/.",
            "/a b", "/a/", "/ä", "/a\\b", "/a:b", "/a\nb");

    protected StorageDriver driver;

    /** A fresh, empty driver for each test. */
    protected abstract StorageDriver newDriver() throws Exception;

    /** Releases what {@link #newDriver()} made, e.g. deletes a bucket prefix. */
    protected void cleanup(StorageDriver driver) throws Exception {
        driver.close();
    }

    /** True for drivers whose walk reports each small file's MD5 ({@link FileInfo#contentMd5()}). */
    protected boolean walkReportsContentMd5() {
        return false;
    }

    @BeforeEach
    void createDriver() throws Exception {
        driver = newDriver();
    }

    @AfterEach
    void cleanupDriver() throws Exception {
        if (driver != null) {
            cleanup(driver);
        }
    }

    // ---- putContent / getContent ----

    @Test
    void putAndGetRoundTripSmallEmptyBinaryAndLarge() throws IOException {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        List<byte[]> contents = List.of(new byte[0], utf8("sha256:abc"), all, random(1 << 20, 1), random(3_000_001, 2));
        for (int i = 0; i < contents.size(); i++) {
            String path = "/content/" + i + "/data";
            driver.putContent(path, contents.get(i));
            assertArrayEquals(contents.get(i), driver.getContent(path), path);
            assertEquals(contents.get(i).length, driver.stat(path).size(), path);
            try (InputStream in = driver.reader(path, 0)) {
                assertArrayEquals(contents.get(i), in.readAllBytes(), path);
            }
        }
    }

    @Test
    void putOverwritesWholeContent() throws IOException {
        driver.putContent("/f", utf8("a much longer first value"));
        driver.putContent("/f", utf8("short"));
        assertArrayEquals(utf8("short"), driver.getContent("/f"));
        assertEquals(5, driver.stat("/f").size());
        driver.putContent("/f", new byte[0]);
        assertArrayEquals(new byte[0], driver.getContent("/f"));
    }

    @Test
    void contentIsCopiedNotShared() throws IOException {
        byte[] content = utf8("original");
        driver.putContent("/f", content);
        content[0] = 'X';
        byte[] read = driver.getContent("/f");
        assertArrayEquals(utf8("original"), read);
        read[0] = 'Y';
        assertArrayEquals(utf8("original"), driver.getContent("/f"));
    }

    @Test
    void putCreatesParentsAndNoExtraEntries() throws IOException {
        driver.putContent("/docker/registry/v2/repositories/lib/app/_layers/sha256/ab/link", utf8("sha256:ab"));
        assertTrue(driver.stat("/docker/registry/v2/repositories").isDirectory());
        assertEquals(List.of("/docker/registry/v2/repositories/lib/app/_layers/sha256/ab/link"),
                driver.list("/docker/registry/v2/repositories/lib/app/_layers/sha256/ab"));
        assertEquals(List.of("/docker"), driver.list("/"));
    }

    @Test
    void getMissingOrDirectoryIsPathNotFound() throws IOException {
        assertNotFound(() -> driver.getContent("/missing"));
        driver.putContent("/dir/file", utf8("x"));
        assertNotFound(() -> driver.getContent("/dir/other"));
        assertNotFound(() -> driver.getContent("/dir"));
        assertNotFound(() -> driver.getContent("/dir/file/below")); // a file is not a directory
    }

    // ---- invalid paths ----

    @Test
    void everyMethodRejectsInvalidPaths() throws IOException {
        driver.putContent("/valid", utf8("v"));
        for (String p : INVALID_PATHS) {
            assertInvalid(p, () -> driver.getContent(p));
            assertInvalid(p, () -> driver.putContent(p, utf8("x")));
            assertInvalid(p, () -> driver.reader(p, 0).close());
            assertInvalid(p, () -> driver.writer(p, false).close());
            assertInvalid(p, () -> driver.writer(p, true).close());
            assertInvalid(p, () -> driver.stat(p));
            assertInvalid(p, () -> driver.move(p, "/valid2"));
            assertInvalid(p, () -> driver.move("/valid", p));
            assertInvalid(p, () -> driver.delete(p));
            if (!"/".equals(p)) {
                assertInvalid(p, () -> driver.list(p));
                assertInvalid(p, () -> driver.walk(p, info -> WalkVisitor.Result.CONTINUE));
            }
        }
        // nothing was created, moved or deleted on the way
        assertEquals(List.of("/valid"), driver.list("/"));
        assertArrayEquals(utf8("v"), driver.getContent("/valid"));
    }

    @Test
    void unusualButValidNamesWork() throws IOException {
        List<String> paths = List.of("/a.b", "/-", "/_", "/...", "/a-b_c.D9/..x", "/A/Z");
        for (String p : paths) {
            driver.putContent(p, utf8(p));
        }
        for (String p : paths) {
            assertArrayEquals(utf8(p), driver.getContent(p), p);
        }
    }

    // ---- reader ----

    @Test
    void readerStartsAtOffset() throws IOException {
        byte[] content = random(1000, 3);
        driver.putContent("/r", content);
        for (int offset : new int[] {0, 1, 500, 999}) {
            try (InputStream in = driver.reader("/r", offset)) {
                assertArrayEquals(Arrays.copyOfRange(content, offset, content.length), in.readAllBytes(), "offset " + offset);
            }
        }
        try (InputStream in = driver.reader("/r", 1000)) {
            assertEquals(-1, in.read());
        }
        assertThrows(InvalidOffsetException.class, () -> driver.reader("/r", 1001));
        assertThrows(InvalidOffsetException.class, () -> driver.reader("/r", Long.MAX_VALUE));
        assertThrows(InvalidOffsetException.class, () -> driver.reader("/r", -1));
    }

    @Test
    void readerOfEmptyFileAndMissingFile() throws IOException {
        driver.putContent("/empty", new byte[0]);
        try (InputStream in = driver.reader("/empty", 0)) {
            assertEquals(-1, in.read());
        }
        assertThrows(InvalidOffsetException.class, () -> driver.reader("/empty", 1));
        assertNotFound(() -> driver.reader("/missing", 0));
        assertNotFound(() -> driver.reader("/missing", 10));
    }

    // ---- writer ----

    @Test
    void writerWritesCommitsAndCountsSize() throws IOException {
        try (FileWriter w = driver.writer("/uploads/u1/data", false)) {
            assertEquals(0, w.size());
            w.write(utf8("hello"));
            assertEquals(5, w.size());
            w.write(' ');
            w.write(utf8("xxworldxx"), 2, 5);
            assertEquals(11, w.size());
            w.commit();
            assertEquals(11, w.size());
        }
        assertArrayEquals(utf8("hello world"), driver.getContent("/uploads/u1/data"));
        assertEquals(11, driver.stat("/uploads/u1/data").size());
    }

    @Test
    void writerAppendContinuesAfterCloseWithoutCommit() throws IOException {
        try (FileWriter w = driver.writer("/u", true)) {
            assertEquals(0, w.size(), "append to a missing file starts empty");
            w.write(utf8("hello "));
        }
        try (FileWriter w = driver.writer("/u", true)) {
            assertEquals(6, w.size());
            w.write(utf8("world"));
            assertEquals(11, w.size());
            w.commit();
        }
        assertArrayEquals(utf8("hello world"), driver.getContent("/u"));
    }

    @Test
    void writerAppendContinuesAfterCommit() throws IOException {
        try (FileWriter w = driver.writer("/u", false)) {
            w.write(utf8("part1-"));
            w.commit();
        }
        try (FileWriter w = driver.writer("/u", true)) {
            assertEquals(6, w.size());
            w.write(utf8("part2"));
            w.commit();
        }
        assertArrayEquals(utf8("part1-part2"), driver.getContent("/u"));
    }

    @Test
    void writerManyReopenCycles() throws IOException {
        byte[] expected = random(200_003, 4);
        int[] cuts = {0, 1, 17, 4096, 65_536, 65_537, 131_071, 199_999, 200_003};
        for (int i = 0; i + 1 < cuts.length; i++) {
            try (FileWriter w = driver.writer("/cycles", true)) {
                assertEquals(cuts[i], w.size(), "cycle " + i);
                w.write(expected, cuts[i], cuts[i + 1] - cuts[i]);
                assertEquals(cuts[i + 1], w.size(), "cycle " + i);
                if (i + 2 == cuts.length) {
                    w.commit();
                }
            }
        }
        assertArrayEquals(expected, driver.getContent("/cycles"));
    }

    @Test
    void writerWithoutAppendTruncates() throws IOException {
        driver.putContent("/t", utf8("old and long content"));
        try (FileWriter w = driver.writer("/t", false)) {
            assertEquals(0, w.size());
            w.write(utf8("new"));
            w.commit();
        }
        assertArrayEquals(utf8("new"), driver.getContent("/t"));
    }

    @Test
    void cancelRemovesTheFile() throws IOException {
        FileWriter w = driver.writer("/c/data", false);
        w.write(utf8("doomed"));
        w.cancel();
        w.close();
        assertNotFound(() -> driver.getContent("/c/data"));
        assertNotFound(() -> driver.stat("/c/data"));

        try (FileWriter w1 = driver.writer("/c/data", false)) {
            w1.write(utf8("first half"));
        }
        FileWriter w2 = driver.writer("/c/data", true);
        assertEquals(10, w2.size());
        w2.cancel();
        assertNotFound(() -> driver.getContent("/c/data"));
    }

    @Test
    void writerRejectsUseAfterCommitOrClose() throws IOException {
        FileWriter w = driver.writer("/done", false);
        w.write(1);
        w.commit();
        assertThrows(IOException.class, () -> w.write(2));
        assertThrows(IOException.class, w::cancel);
        w.close();
        FileWriter w2 = driver.writer("/done2", false);
        w2.close();
        assertThrows(IOException.class, () -> w2.write(2));
        assertThrows(IOException.class, w2::commit);
        assertArrayEquals(new byte[] {1}, driver.getContent("/done"));
    }

    @Test
    @Timeout(120)
    void largeFileInOddChunks() throws Exception {
        int total = 20 * 1024 * 1024 + 13;
        byte[] expected = random(total, 5);
        int[] chunkSizes = {1, 7, 4093, 65_537, 1_048_583, 333, 8192, 2_000_003};
        try (FileWriter w = driver.writer("/big/data", false)) {
            int pos = 0;
            for (int i = 0; pos < total; i++) {
                int n = Math.min(chunkSizes[i % chunkSizes.length], total - pos);
                if (n == 1) {
                    w.write(expected[pos]);
                } else {
                    w.write(expected, pos, n);
                }
                pos += n;
                assertEquals(pos, w.size());
            }
            w.commit();
        }
        assertEquals(total, driver.stat("/big/data").size());
        try (InputStream in = driver.reader("/big/data", 0)) {
            assertEquals(sha256(expected, 0), sha256(in));
        }
        int offset = 3 * 1024 * 1024 - 5; // crosses the in-memory driver's chunk boundaries
        try (InputStream in = driver.reader("/big/data", offset)) {
            assertEquals(sha256(expected, offset), sha256(in));
        }
    }

    // ---- stat ----

    @Test
    void statOfFileAndDirectory() throws IOException {
        Instant before = Instant.now().minusSeconds(5); // filesystem clocks and granularity vary
        driver.putContent("/s/dir/file", random(1234, 6));
        Instant after = Instant.now().plusSeconds(5);

        FileInfo file = driver.stat("/s/dir/file");
        assertEquals("/s/dir/file", file.path());
        assertEquals(1234, file.size());
        assertFalse(file.isDirectory());
        assertNotNull(file.modTime());
        assertTrue(!file.modTime().isBefore(before) && !file.modTime().isAfter(after), file.modTime().toString());

        for (String dir : List.of("/s", "/s/dir")) {
            FileInfo info = driver.stat(dir);
            assertEquals(dir, info.path());
            assertTrue(info.isDirectory(), dir);
            assertEquals(0, info.size(), dir);
        }
    }

    @Test
    void statMissingIsPathNotFound() throws IOException {
        assertNotFound(() -> driver.stat("/nothing"));
        driver.putContent("/s/file", utf8("x"));
        assertNotFound(() -> driver.stat("/s/fil"));
        assertNotFound(() -> driver.stat("/s/file/below"));
        assertNotFound(() -> driver.stat("/s/file2"));
    }

    @Test
    void statFileSeesFilesOnly() throws IOException {
        driver.putContent("/sf/dir/file", random(321, 7));
        FileInfo file = driver.statFile("/sf/dir/file");
        assertEquals("/sf/dir/file", file.path());
        assertEquals(321, file.size());
        assertFalse(file.isDirectory());
        assertEquals(driver.stat("/sf/dir/file").size(), file.size());
        assertNotFound(() -> driver.statFile("/sf/dir")); // a directory is not a file
        assertNotFound(() -> driver.statFile("/sf"));
        assertNotFound(() -> driver.statFile("/sf/dir/missing"));
        assertNotFound(() -> driver.statFile("/sf/dir/file/below"));
    }

    @Test
    void deleteEntriesRemovesEachFileWithItsDirectory() throws IOException {
        List<String> files = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String f = "/de/blobs/" + i + "/data";
            driver.putContent(f, random(100 + i, 20 + i));
            files.add(f);
        }
        driver.putContent("/de/keep/data", utf8("kept"));
        files.add("/de/blobs/9/data"); // never written: skipped
        driver.deleteEntries(files);
        for (int i = 0; i < 5; i++) {
            String dir = "/de/blobs/" + i;
            assertNotFound(() -> driver.stat(dir + "/data"));
            assertNotFound(() -> driver.stat(dir));
        }
        // an emptied grandparent may stay on a filesystem, as distribution's vacuum leaves blobs/<alg>/<xx>/
        assertEquals("kept", new String(driver.getContent("/de/keep/data"), java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(driver.list("/de").contains("/de/keep"));
        driver.deleteEntries(List.of()); // nothing to do
    }

    // ---- list ----

    @Test
    void listReturnsSortedDirectChildren() throws IOException {
        for (String p : List.of("/a/c", "/a/b/2/x", "/a/b.x", "/a/b/1", "/a/b-0", "/z")) {
            driver.putContent(p, utf8(p));
        }
        assertEquals(List.of("/a/b", "/a/b-0", "/a/b.x", "/a/c"), driver.list("/a"));
        assertEquals(List.of("/a/b/1", "/a/b/2"), driver.list("/a/b"));
        assertEquals(List.of("/a/b/2/x"), driver.list("/a/b/2"));
        assertEquals(List.of("/a", "/z"), driver.list("/"));
    }

    @Test
    void listManyEntriesIsSorted() throws IOException {
        Random rnd = new Random(7);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String p = "/many/" + Long.toHexString(rnd.nextLong()) + (i % 3 == 0 ? "/sub" : "");
            driver.putContent(p, new byte[] {(byte) i});
            expected.add(p.endsWith("/sub") ? p.substring(0, p.length() - 4) : p);
        }
        Collections.sort(expected);
        assertEquals(expected, driver.list("/many"));
    }

    @Test
    void listOfEmptyRootMissingDirAndFile() throws IOException {
        assertEquals(List.of(), driver.list("/"));
        assertNotFound(() -> driver.list("/missing"));
        driver.putContent("/dir/file", utf8("x"));
        assertNotFound(() -> driver.list("/dir/file"));
        assertNotFound(() -> driver.list("/di"));
    }

    // ---- move ----

    @Test
    void moveMovesContentAndCreatesParents() throws IOException {
        byte[] content = random(100_000, 8);
        driver.putContent("/uploads/u/data", content);
        driver.move("/uploads/u/data", "/blobs/sha256/ab/abcd/data");
        assertArrayEquals(content, driver.getContent("/blobs/sha256/ab/abcd/data"));
        assertNotFound(() -> driver.getContent("/uploads/u/data"));
        assertNotFound(() -> driver.stat("/uploads/u/data"));
    }

    @Test
    void moveReplacesDestination() throws IOException {
        driver.putContent("/src", utf8("new"));
        driver.putContent("/dst", utf8("old and longer"));
        driver.move("/src", "/dst");
        assertArrayEquals(utf8("new"), driver.getContent("/dst"));
        assertNotFound(() -> driver.stat("/src"));
    }

    @Test
    void moveOfMissingSourceIsPathNotFoundAndLeavesDestination() throws IOException {
        driver.putContent("/dst", utf8("keep"));
        assertNotFound(() -> driver.move("/missing", "/dst"));
        assertNotFound(() -> driver.move("/missing", "/new/dst"));
        assertArrayEquals(utf8("keep"), driver.getContent("/dst"));
    }

    @Test
    void moveOfWriterOutput() throws IOException {
        try (FileWriter w = driver.writer("/uploads/x/data", false)) {
            w.write(utf8("blob"));
            w.commit();
        }
        driver.move("/uploads/x/data", "/blobs/x/data");
        assertArrayEquals(utf8("blob"), driver.getContent("/blobs/x/data"));
    }

    // ---- delete ----

    @Test
    void deleteFile() throws IOException {
        driver.putContent("/d/one", utf8("1"));
        driver.putContent("/d/two", utf8("2"));
        driver.delete("/d/one");
        assertNotFound(() -> driver.getContent("/d/one"));
        assertEquals(List.of("/d/two"), driver.list("/d"));
        assertNotFound(() -> driver.delete("/d/one"));
    }

    @Test
    void deleteDirectoryIsRecursiveAndSparesPrefixSiblings() throws IOException {
        List<String> doomed = List.of("/a/b/1", "/a/b/c/2", "/a/b/c/d/3");
        List<String> kept = List.of("/a/bc/4", "/a/b-d", "/a/b.e", "/a/a", "/a/c/b/5", "/ab/6");
        for (String p : doomed) {
            driver.putContent(p, utf8(p));
        }
        for (String p : kept) {
            driver.putContent(p, utf8(p));
        }
        driver.delete("/a/b");
        for (String p : doomed) {
            assertNotFound(() -> driver.stat(p));
        }
        assertNotFound(() -> driver.stat("/a/b"));
        assertNotFound(() -> driver.stat("/a/b/c"));
        for (String p : kept) {
            assertArrayEquals(utf8(p), driver.getContent(p), p);
        }
        assertEquals(List.of("/a/a", "/a/b-d", "/a/b.e", "/a/bc", "/a/c"), driver.list("/a"));
    }

    @Test
    void deleteMissingIsPathNotFound() throws IOException {
        assertNotFound(() -> driver.delete("/missing"));
        driver.putContent("/x/y", utf8("y"));
        assertNotFound(() -> driver.delete("/x/z"));
        assertNotFound(() -> driver.delete("/x/y/z"));
        assertArrayEquals(utf8("y"), driver.getContent("/x/y"));
    }

    // ---- walk ----

    /** The tricky names: '-' and '.' sort before '/', so a flat key listing has another order. */
    private void putWalkTree() throws IOException {
        for (String p : List.of("/w/c/d/e", "/w/b", "/w/a-x", "/w/a/2", "/w/a/1", "/w/a.y/3", "/other/o")) {
            driver.putContent(p, utf8(p));
        }
    }

    @Test
    void walkIsDepthFirstLexicalWithDirectoriesFirst() throws IOException {
        putWalkTree();
        List<FileInfo> seen = new ArrayList<>();
        driver.walk("/w", info -> {
            seen.add(info);
            return WalkVisitor.Result.CONTINUE;
        });
        assertEquals(List.of("/w/a", "/w/a/1", "/w/a/2", "/w/a-x", "/w/a.y", "/w/a.y/3", "/w/b", "/w/c", "/w/c/d",
                "/w/c/d/e"), paths(seen));
        for (FileInfo info : seen) {
            boolean isFile = List.of("/w/a/1", "/w/a/2", "/w/a-x", "/w/a.y/3", "/w/b", "/w/c/d/e").contains(info.path());
            assertEquals(!isFile, info.isDirectory(), info.path());
            assertEquals(isFile ? info.path().length() : 0, info.size(), info.path());
        }
    }

    @Test
    void walkReportsOnlyTrueContentMd5() throws IOException {
        byte[] small = utf8("sha256:" + "ab".repeat(32));
        byte[] big = random(3 << 20, 41);
        driver.putContent("/md5/link", small);
        try (FileWriter w = driver.writer("/md5/data", false)) {
            w.write(big);
            w.commit();
        }
        Map<String, FileInfo> files = new java.util.HashMap<>();
        driver.walk("/md5", info -> {
            files.put(info.path(), info);
            return WalkVisitor.Result.CONTINUE;
        });
        FileInfo link = files.get("/md5/link");
        FileInfo data = files.get("/md5/data");
        // a reported MD5 is the content's; a writer's multipart object may report none
        for (FileInfo f : List.of(link, data)) {
            if (f.contentMd5() != null) {
                assertTrue(f.holds(f == link ? small : big), f.path());
            }
        }
        assertEquals(walkReportsContentMd5(), link.contentMd5() != null, "MD5 of a small file in the walk");
        assertFalse(link.holds(utf8("sha256:" + "ac".repeat(32))));
        assertFalse(link.holds(big));
    }

    @Test
    void walkFromRootVisitsEverything() throws IOException {
        putWalkTree();
        List<String> seen = new ArrayList<>();
        driver.walk("/", info -> {
            seen.add(info.path());
            return WalkVisitor.Result.CONTINUE;
        });
        assertEquals(List.of("/other", "/other/o", "/w", "/w/a", "/w/a/1", "/w/a/2", "/w/a-x", "/w/a.y", "/w/a.y/3",
                "/w/b", "/w/c", "/w/c/d", "/w/c/d/e"), seen);
    }

    @Test
    void walkSkipDirSkipsOnlyThatDirectory() throws IOException {
        putWalkTree();
        List<String> seen = new ArrayList<>();
        driver.walk("/w", info -> {
            seen.add(info.path());
            return info.path().equals("/w/a") || info.path().equals("/w/c/d")
                    ? WalkVisitor.Result.SKIP_DIR : WalkVisitor.Result.CONTINUE;
        });
        assertEquals(List.of("/w/a", "/w/a-x", "/w/a.y", "/w/a.y/3", "/w/b", "/w/c", "/w/c/d"), seen);
    }

    @Test
    void walkStopEndsTheWalk() throws IOException {
        putWalkTree();
        List<String> seen = new ArrayList<>();
        driver.walk("/w", info -> {
            seen.add(info.path());
            return seen.size() == 3 ? WalkVisitor.Result.STOP : WalkVisitor.Result.CONTINUE;
        });
        assertEquals(List.of("/w/a", "/w/a/1", "/w/a/2"), seen);
    }

    @Test
    void walkWithOnlyFileOfEachEntryVisitsTheSameFiles() throws IOException {
        for (String p : List.of("/f/sha256/aa/link", "/f/sha256/bb/link", "/f/sha256/cc/other", "/f/sha256/dd",
                "/f/sha256/ee/link/deeper", "/f/z")) {
            driver.putContent(p, utf8(p));
        }
        FileCollector hinted = new FileCollector() {
            @Override
            public String onlyFileOfEachEntry(String dir) {
                return dir.equals("/f/sha256") ? "link" : null;
            }
        };
        driver.walk("/f", hinted);
        List<FileInfo> files = hinted.files;
        // entries without a link file (cc, dd, and ee whose link is a directory) are walked as usual
        assertEquals(List.of("/f/sha256/aa/link", "/f/sha256/bb/link", "/f/sha256/cc/other", "/f/sha256/dd",
                "/f/sha256/ee/link/deeper", "/f/z"), paths(files));
        for (FileInfo f : files) {
            assertEquals(f.path().length(), f.size(), f.path());
        }
        FileCollector stopped = new FileCollector("/link") {
            @Override
            public String onlyFileOfEachEntry(String dir) {
                return "link";
            }
        };
        driver.walk("/f/sha256", stopped);
        assertEquals("/f/sha256/aa/link", stopped.seen.get(stopped.seen.size() - 1), "STOP ends a hinted walk too");
    }

    @Test
    void walkWhereNamesSufficeNamesEachEntrysFile() throws IOException {
        for (String p : List.of("/n/sha256/aa/link", "/n/sha256/bb/link", "/n/z")) {
            driver.putContent(p, utf8(p));
        }
        FileCollector namesOnly = new FileCollector() {
            @Override
            public String onlyFileOfEachEntry(String dir) {
                return dir.equals("/n/sha256") ? "link" : null;
            }

            @Override
            public boolean namesSuffice(String dir) {
                return dir.equals("/n/sha256");
            }
        };
        driver.walk("/n", namesOnly);
        List<FileInfo> files = namesOnly.files;
        assertEquals(List.of("/n/sha256/aa/link", "/n/sha256/bb/link", "/n/z"), paths(files));
        for (FileInfo f : files) {
            // a driver may skip the stat (size and time unknown) or report the file as it is
            if (f.isStated()) {
                assertEquals(f.path().length(), f.size(), f.path());
            } else {
                assertEquals(-1, f.size(), f.path());
                assertTrue(f.path().endsWith("/link"), f.path());
            }
        }
        assertTrue(files.get(2).isStated(), "only the named entries' files may come unstated");
    }

    @Test
    void walkWithFilesOfEachEntryVisitsTheSameFiles() throws IOException {
        // a tag directory's shape: current/link, then index/<alg>/<hex>/link
        for (String p : List.of("/t/a/current/link", "/t/a/index/sha256/aa/link", "/t/a/index/sha256/bb/link",
                "/t/a/index/sha512/cc/link", "/t/b/index/sha256/dd/link", "/t/c/current/link",
                "/t/d/current/link/deeper", "/t/e/current/link", "/t/e/index/sha256/ee/link/deeper",
                "/t/e/index/sha256/ff/link", "/t/e/index/sha256/gg/other", "/u")) {
            driver.putContent(p, utf8(p));
        }
        List<String> plain = new ArrayList<>();
        driver.walk("/", info -> {
            if (!info.isDirectory()) {
                plain.add(info.path());
            }
            return WalkVisitor.Result.CONTINUE;
        });
        FileCollector patterned = new FileCollector() {
            @Override
            public List<String> filesOfEachEntry(String dir) {
                return dir.equals("/t") ? List.of("current/link", "index/*/*/link") : null;
            }
        };
        driver.walk("/", patterned);
        List<FileInfo> files = patterned.files;
        // b (no current/link) and d (current/link is a directory) are walked as usual, and so are
        // e's ee (its link is a directory) and gg (no link): nothing off the layout goes unseen
        assertEquals(plain, paths(files));
        assertEquals(List.of("/t/a/current/link", "/t/a/index/sha256/aa/link", "/t/a/index/sha256/bb/link",
                "/t/a/index/sha512/cc/link", "/t/b/index/sha256/dd/link", "/t/c/current/link",
                "/t/d/current/link/deeper", "/t/e/current/link", "/t/e/index/sha256/ee/link/deeper",
                "/t/e/index/sha256/ff/link", "/t/e/index/sha256/gg/other", "/u"), paths(files));
        for (FileInfo f : files) {
            assertEquals(f.path().length(), f.size(), f.path());
        }
        FileCollector stopped = new FileCollector("/bb/link") {
            @Override
            public List<String> filesOfEachEntry(String dir) {
                return List.of("current/link", "index/*/*/link");
            }
        };
        driver.walk("/t", stopped);
        assertEquals("/t/a/index/sha256/bb/link", stopped.seen.get(stopped.seen.size() - 1),
                "STOP ends a patterned walk too");
    }

    @Test
    void walkOfMissingPathIsPathNotFound() throws IOException {
        assertNotFound(() -> driver.walk("/missing", info -> fail("visited " + info)));
        driver.putContent("/x/y", utf8("y"));
        assertNotFound(() -> driver.walk("/x/z", info -> fail("visited " + info)));
    }

    // ---- concurrency ----

    @Test
    @Timeout(120)
    void concurrentPutContentOfOnePathNeverMixes() throws Exception {
        int writers = 8;
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            byte[] v = new byte[200_000 + i * 9_973]; // several write slices, distinct sizes
            Arrays.fill(v, (byte) ('a' + i));
            values.add(v);
        }
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> puts = new ArrayList<>();
            for (byte[] v : values) {
                puts.add(pool.submit(() -> {
                    start.await();
                    for (int round = 0; round < 15; round++) {
                        driver.putContent("/race/link", v);
                    }
                    return null;
                }));
            }
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    start.await();
                    int reads = 0;
                    while (!done.get()) {
                        try {
                            assertOneOf(values, driver.getContent("/race/link"));
                            reads++;
                        } catch (PathNotFoundException e) {
                            // not written yet
                        }
                    }
                    return reads;
                }));
            }
            start.countDown();
            for (Future<?> f : puts) {
                f.get(100, TimeUnit.SECONDS);
            }
            done.set(true);
            for (Future<Integer> f : readers) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
        assertOneOf(values, driver.getContent("/race/link"));
        assertEquals(List.of("/race/link"), driver.list("/race"));
    }

    @Test
    @Timeout(120)
    void concurrentWritersToDifferentPaths() throws Exception {
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<byte[]> contents = new ArrayList<>();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] content = random(1_000_000 + i, 100 + i);
                contents.add(content);
                String path = "/shared/new/dir/" + i + "/data";
                futures.add(pool.submit(() -> {
                    start.await();
                    try (FileWriter w = driver.writer(path, false)) {
                        for (int pos = 0; pos < content.length; pos += 10_007) {
                            w.write(content, pos, Math.min(10_007, content.length - pos));
                        }
                        w.commit();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(100, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < n; i++) {
            assertArrayEquals(contents.get(i), driver.getContent("/shared/new/dir/" + i + "/data"), "writer " + i);
        }
        assertEquals(n, driver.list("/shared/new/dir").size());
    }

    // ---- helpers ----

    protected static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    protected static String sha256(byte[] b, int offset) {
        MessageDigest md = sha256();
        md.update(b, offset, b.length - offset);
        return HexFormat.of().formatHex(md.digest());
    }

    protected static String sha256(InputStream in) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[50_000]; // not a power of two, to shake out chunk-boundary bugs
        for (int n; (n = in.read(buf)) >= 0; ) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Collects the files (not directories) a walk visits; subclasses add the walk's hints. */
    /** Collects the files a walk visits, and every path it visits in {@code seen}. */
    private abstract static class FileCollector implements WalkVisitor {
        final List<FileInfo> files = new ArrayList<>();
        final List<String> seen = new ArrayList<>();
        private final String stopAt;

        FileCollector() {
            this(null);
        }

        /** One whose visit says STOP at the first path ending in {@code stopAt}. */
        FileCollector(String stopAt) {
            this.stopAt = stopAt;
        }

        @Override
        public Result visit(FileInfo info) {
            seen.add(info.path());
            if (!info.isDirectory()) {
                files.add(info);
            }
            return stopAt != null && info.path().endsWith(stopAt) ? Result.STOP : Result.CONTINUE;
        }
    }

    protected static List<String> paths(List<FileInfo> infos) {
        return infos.stream().map(FileInfo::path).toList();
    }

    protected static void assertNotFound(Executable call) {
        assertThrows(PathNotFoundException.class, call);
    }

    private static void assertInvalid(String path, Executable call) {
        assertThrows(InvalidPathException.class, call, () -> "path " + (path == null ? null : "\"" + path + "\""));
    }

    private static void assertOneOf(List<byte[]> values, byte[] actual) {
        for (byte[] v : values) {
            if (Arrays.equals(v, actual)) {
                return;
            }
        }
        fail("content of " + actual.length + " bytes is none of the written values (torn write?)");
    }
}
