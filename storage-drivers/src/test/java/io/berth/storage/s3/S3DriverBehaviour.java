package io.berth.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.storage.FileInfo;
import io.berth.core.storage.FileWriter;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageException;
import io.berth.core.storage.WalkVisitor;
import io.berth.storage.inmemory.InMemoryDriver;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.Part;

/**
 * What the S3 driver does beyond the shared suite: resumable multipart uploads across driver
 * instances, multipart copy, listings past one page, presigned URLs, the key layout, start-up
 * checks. Subclasses pick the server.
 */
abstract class S3DriverBehaviour {
    static final int MIB = 1024 * 1024;

    private final List<S3Driver> drivers = new ArrayList<>();
    protected String bucket;

    protected abstract S3TestServer server();

    @BeforeEach
    void newBucket() {
        bucket = server().createBucket();
    }

    @AfterEach
    void closeDrivers() {
        drivers.forEach(S3Driver::close);
    }

    protected Map<String, Object> params() {
        return server().driverParameters(bucket, "/registry-root");
    }

    protected S3Driver driver(Map<String, Object> params) {
        S3Driver d = S3Driver.fromParameters(params);
        drivers.add(d);
        return d;
    }

    protected S3Driver driver() {
        return driver(params());
    }

    // ---- resumable writer ----

    @Test
    @Timeout(120)
    void uploadClosedOnOneInstanceIsContinuedOnAnother() throws Exception {
        byte[] expected = random(15 * MIB + 11, 1);
        S3Driver a = driver();
        S3Driver b = driver();
        String path = "/docker/registry/v2/repositories/lib/app/_uploads/u1/data";
        try (FileWriter w = a.writer(path, false)) {
            writeInChunks(w, expected, 0, 12 * MIB, 1_000_003);
            assertEquals(12 * MIB, w.size());
        }
        // the 10 MiB part and the 2 MiB tail are parts of an upload in progress; no object yet, but
        // stat of an upload's data counts them, as the registry asks an upload's size with stat
        List<MultipartUpload> uploads = uploads(a, path);
        assertEquals(1, uploads.size());
        assertEquals(List.of((long) 10 * MIB, (long) 2 * MIB), partSizes(a, path, uploads.get(0)));
        assertEquals(12 * MIB, b.stat(path).size());
        assertThrows(PathNotFoundException.class, () -> a.reader(path, 0).close());

        try (FileWriter w = b.writer(path, true)) {
            assertEquals(12 * MIB, w.size());
            writeInChunks(w, expected, 12 * MIB, expected.length, 777_777);
            assertEquals(expected.length, w.size());
            w.commit();
        }
        assertEquals(expected.length, a.stat(path).size());
        try (InputStream in = a.reader(path, 0)) {
            assertEquals(sha256(expected), sha256(in));
        }
        assertEquals(List.of(), uploads(a, path), "no upload left in progress");
    }

    @Test
    @Timeout(120)
    void tailOfFiveMibOrMoreStaysAPartOfTheSameUpload() throws Exception {
        byte[] expected = random(19 * MIB + 5, 2);
        String path = "/blob/data";
        try (FileWriter w = driver().writer(path, false)) {
            writeInChunks(w, expected, 0, 16 * MIB, 65_537);
        }
        MultipartUpload first = uploads(driver(), path).get(0);
        assertEquals(List.of((long) 10 * MIB, (long) 6 * MIB), partSizes(driver(), path, first));

        try (FileWriter w = driver().writer(path, true)) { // a 6 MiB part may be followed by more
            assertEquals(16 * MIB, w.size());
            writeInChunks(w, expected, 16 * MIB, 17 * MIB, 4096);
        }
        List<MultipartUpload> now = uploads(driver(), path);
        assertEquals(1, now.size());
        assertEquals(first.uploadId(), now.get(0).uploadId(), "the same upload continued");
        assertEquals(List.of((long) 10 * MIB, (long) 6 * MIB, (long) MIB), partSizes(driver(), path, now.get(0)));

        try (FileWriter w = driver().writer(path, true)) { // behind a 1 MiB part: complete, copy, continue
            assertEquals(17 * MIB, w.size());
            writeInChunks(w, expected, 17 * MIB, expected.length, 1_000_000);
            w.commit();
        }
        assertEquals(sha256(expected), sha256(driver().getContent(path)));
        assertEquals(List.of(), uploads(driver(), path));
    }

    @Test
    @Timeout(120)
    void tailUnderFiveMibSurvivesCloseAndIsContinued() throws Exception {
        byte[] expected = random(16 * MIB + 3, 3);
        String path = "/blob/data";
        try (FileWriter w = driver().writer(path, false)) {
            writeInChunks(w, expected, 0, 12 * MIB, 3 * MIB + 1);
        }
        try (FileWriter w = driver().writer(path, true)) {
            assertEquals(12 * MIB, w.size());
            writeInChunks(w, expected, 12 * MIB, 14 * MIB, 100_000);
            assertEquals(14 * MIB, w.size());
        }
        try (FileWriter w = driver().writer(path, true)) {
            assertEquals(14 * MIB, w.size());
            writeInChunks(w, expected, 14 * MIB, expected.length, 333_333);
        }
        try (FileWriter w = driver().writer(path, true)) { // reopened only to commit
            assertEquals(expected.length, w.size());
            w.commit();
        }
        assertEquals(sha256(expected), sha256(driver().getContent(path)));
        assertEquals(List.of(), uploads(driver(), path));
    }

    @Test
    @Timeout(120)
    void smallUploadInManyPiecesAcrossInstances() throws Exception {
        byte[] expected = random(7 * MIB + 1, 4);
        int[] cuts = {0, 3 * MIB, 3 * MIB + 1, 6 * MIB, expected.length};
        for (int i = 0; i + 1 < cuts.length; i++) {
            try (FileWriter w = driver().writer("/u/data", true)) {
                assertEquals(cuts[i], w.size());
                writeInChunks(w, expected, cuts[i], cuts[i + 1], 50_000);
            }
        }
        try (FileWriter w = driver().writer("/u/data", true)) {
            assertEquals(expected.length, w.size());
            w.commit();
        }
        assertArrayEquals(expected, driver().getContent("/u/data"));
    }

    @Test
    void emptyCommitAndCancelAfterResume() throws Exception {
        try (FileWriter w = driver().writer("/empty", false)) {
            w.commit();
        }
        assertArrayEquals(new byte[0], driver().getContent("/empty"));
        assertEquals(0, driver().stat("/empty").size());

        try (FileWriter w = driver().writer("/c/data", false)) {
            w.write(random(6 * MIB, 5));
        }
        FileWriter w = driver().writer("/c/data", true);
        assertEquals(6 * MIB, w.size());
        w.cancel();
        assertThrows(PathNotFoundException.class, () -> driver().stat("/c/data"));
        assertEquals(List.of(), uploads(driver(), "/c/data"));
    }

    @Test
    void deleteAbortsUploadsLeftInProgress() throws Exception {
        driver().putContent("/uploads/u1/startedat", utf8("2024-01-01T00:00:00Z"));
        try (FileWriter w = driver().writer("/uploads/u1/data", false)) {
            w.write(utf8("abandoned"));
        }
        assertEquals(1, uploads(driver(), "/uploads/u1/data").size());
        driver().delete("/uploads/u1");
        assertEquals(List.of(), uploads(driver(), "/uploads/u1/data"));
        assertThrows(PathNotFoundException.class, () -> driver().stat("/uploads/u1"));
    }

    // ---- move ----

    @Test
    @Timeout(120)
    void moveAboveTheThresholdIsAMultipartCopy() throws Exception {
        Map<String, Object> p = params();
        p.put("multipartcopythresholdsize", 5 * MIB);
        p.put("multipartcopychunksize", "5242880");
        p.put("multipartcopymaxconcurrency", 2);
        S3Driver d = driver(p);
        byte[] content = random(12 * MIB + 7, 6);
        d.putContent("/uploads/u/data", content);
        d.move("/uploads/u/data", "/blobs/sha256/ab/abcd/data");
        assertThrows(PathNotFoundException.class, () -> d.stat("/uploads/u/data"));
        assertEquals(sha256(content), sha256(d.getContent("/blobs/sha256/ab/abcd/data")));
        if (server().kind() == S3TestServer.Kind.S3MOCK) { // s3proxy gives every object a plain MD5 ETag
            String etag = server().admin().headObject(b -> b.bucket(bucket).key(d.key("/blobs/sha256/ab/abcd/data")))
                    .eTag();
            assertTrue(etag.endsWith("-3\""), "a 3-part object, from UploadPartCopy, has a multipart ETag: " + etag);
        }

        byte[] small = random(5 * MIB, 7); // at the threshold: one CopyObject
        d.putContent("/s", small);
        d.move("/s", "/t");
        assertArrayEquals(small, d.getContent("/t"));
    }

    // ---- listings past one page ----

    @Test
    @Timeout(180)
    void walkListAndDeleteBeyondOneThousandKeys() throws Exception {
        S3Driver d = driver();
        InMemoryDriver reference = new InMemoryDriver();
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 1100; i++) {
            // 1100 entries in one directory (list pages), with names where '-' and '.' (which sort
            // before '/') meet directories of the same stem: k3, k3/a, k3-x, k3.y, k3.y/b, k30, ...
            String stem = "/many/flat/k" + (i - i % 3);
            paths.add(switch (i % 3) {
                case 0 -> stem + "/a";
                case 1 -> stem + "-x";
                default -> stem + ".y/b/c" + (i % 5);
            });
        }
        paths.add("/many-sibling/kept");
        paths.add("/manyz");
        putAll(d, paths);
        for (String p : paths) {
            reference.putContent(p, utf8(p));
        }

        for (String root : List.of("/", "/many", "/many/flat/k30.y")) {
            assertEquals(walk(reference, root, null), walk(d, root, null), "walk of " + root);
        }
        // SKIP_DIR and STOP, checked against the reference walk
        assertEquals(walk(reference, "/many", "/many/flat/k3"), walk(d, "/many", "/many/flat/k3"));
        List<String> firstFive = new ArrayList<>();
        d.walk("/many", info -> {
            firstFive.add(info.path());
            return firstFive.size() == 5 ? WalkVisitor.Result.STOP : WalkVisitor.Result.CONTINUE;
        });
        List<String> expectedFive = new ArrayList<>();
        reference.walk("/many", info -> {
            expectedFive.add(info.path());
            return expectedFive.size() == 5 ? WalkVisitor.Result.STOP : WalkVisitor.Result.CONTINUE;
        });
        assertEquals(expectedFive, firstFive);

        List<String> listed = d.list("/many/flat");
        assertEquals(1100, listed.size());
        assertEquals(reference.list("/many/flat"), listed);
        assertEquals(List.of("/many", "/many-sibling", "/manyz"), d.list("/"));

        d.delete("/many");
        assertEquals(List.of("/many-sibling", "/manyz"), d.list("/"));
        assertThrows(PathNotFoundException.class, () -> d.list("/many"));
        assertArrayEquals(utf8("/many-sibling/kept"), d.getContent("/many-sibling/kept"));
    }

    private static void putAll(S3Driver d, List<String> paths) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (String p : paths) {
                fs.add(pool.submit(() -> {
                    d.putContent(p, utf8(p));
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Paths and kinds a walk visits; {@code skip} answers SKIP_DIR for that directory. */
    private static List<String> walk(io.berth.core.storage.StorageDriver d, String root, String skip)
            throws IOException {
        List<String> seen = new ArrayList<>();
        d.walk(root, info -> {
            seen.add(info.path() + (info.isDirectory() ? "/" : " " + info.size()));
            return info.path().equals(skip) ? WalkVisitor.Result.SKIP_DIR : WalkVisitor.Result.CONTINUE;
        });
        return seen;
    }

    // ---- redirect ----

    @Test
    void deleteEntriesDeletesInBulk() throws Exception {
        S3Driver d = driver();
        List<String> files = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            files.add("/bulk/" + i + "/link");
            d.putContent(files.get(i), new byte[] {(byte) i});
        }
        d.deleteEntries(files);
        for (String f : files) {
            assertThrows(PathNotFoundException.class, () -> d.stat(f));
        }
        // s3proxy refuses the SDK's CRC32 header on DeleteObjects; signed with Content-MD5 alone it takes it
        assertTrue(d.deletesInBulk(), "DeleteObjects works on " + server().kind());
    }

    @Test
    void redirectUrlServesTheContent() throws Exception {
        S3Driver d = driver();
        byte[] content = random(100_000, 8);
        d.putContent("/blobs/sha256/ab/abcd/data", content);
        HttpClient http = HttpClient.newHttpClient();

        String get = d.redirectUrl("/blobs/sha256/ab/abcd/data", "GET", Duration.ofMinutes(5)).orElseThrow();
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(get)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), new String(r.body()));
        assertArrayEquals(content, r.body());

        String head = d.redirectUrl("/blobs/sha256/ab/abcd/data", "HEAD", Duration.ofMinutes(5)).orElseThrow();
        HttpResponse<Void> h = http.send(HttpRequest.newBuilder(URI.create(head))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(200, h.statusCode());
        assertEquals("100000", h.headers().firstValue("content-length").orElse(""));

        assertTrue(d.redirectUrl("/blobs/sha256/ab/abcd/data", "PUT", Duration.ofMinutes(5)).isEmpty());
        assertTrue(d.localFile("/blobs/sha256/ab/abcd/data").isEmpty());
    }

    @Test
    void aReaderClosedEarlyDoesNotFetchTheRestOfTheObject() throws Exception {
        byte[] content = random(32 * MIB, 11);
        driver().putContent("/big/data", content);
        URI endpoint = URI.create((String) params().get("regionendpoint"));
        try (CountingRelay relay = new CountingRelay(endpoint.getHost(), endpoint.getPort())) {
            Map<String, Object> p = new java.util.HashMap<>(params());
            p.put("regionendpoint", "http://127.0.0.1:" + relay.port());
            S3Driver d = driver(p);
            try (InputStream in = d.reader("/big/data", MIB)) { // as a range request reads
                assertArrayEquals(java.util.Arrays.copyOfRange(content, MIB, MIB + 1024), in.readNBytes(1024));
            }
            long fetched = relay.bytesFromServer();
            assertTrue(fetched < 16 * MIB, "closing after 1 KiB of 31 MiB fetched " + fetched + " bytes");

            // the driver goes on reading, at an offset and to the end, and a small rest is drained
            try (InputStream in = d.reader("/big/data", 32 * MIB - 100)) {
                assertArrayEquals(java.util.Arrays.copyOfRange(content, 32 * MIB - 100, 32 * MIB), in.readAllBytes());
            }
            try (InputStream in = d.reader("/big/data", 32 * MIB - 50_000)) {
                assertEquals(content[32 * MIB - 50_000], (byte) in.read());
            }
            try (InputStream in = d.reader("/big/data", 0)) {
                assertArrayEquals(content, in.readAllBytes());
            }
        }
    }

    // ---- layout and start-up ----

    @Test
    void keysAreRootDirectoryPlusPathAsInDistribution() throws Exception {
        for (String root : List.of("/registry-root", "registry-root/", "//registry-root//")) {
            Map<String, Object> p = params();
            p.put("rootdirectory", root);
            driver(p).putContent("/docker/registry/v2/x", utf8(root));
            assertArrayEquals(utf8(root), server().admin().getObjectAsBytes(b -> b.bucket(bucket)
                    .key("registry-root/docker/registry/v2/x")).asByteArray(), root);
        }
        Map<String, Object> p = params();
        p.remove("rootdirectory");
        S3Driver bare = driver(p);
        bare.putContent("/top", utf8("t"));
        assertArrayEquals(utf8("t"), server().admin().getObjectAsBytes(b -> b.bucket(bucket).key("top")).asByteArray());
        assertEquals(List.of("/registry-root", "/top"), bare.list("/"));
        assertEquals(List.of("/docker"), driver().list("/"));
        FileInfo dir = bare.stat("/registry-root/docker");
        assertTrue(dir.isDirectory());
    }

    @Test
    void checkAccessNamesTheMissingBucket() throws Exception {
        driver().checkAccess();
        Map<String, Object> p = params();
        p.put("bucket", "no-such-bucket-" + Long.toHexString(System.nanoTime()));
        StorageException e = assertThrows(StorageException.class, () -> driver(p).checkAccess());
        assertTrue(e.getMessage().startsWith("storage.s3.bucket: bucket no-such-bucket-"), e.getMessage());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    // ---- helpers ----

    protected static List<MultipartUpload> uploads(S3Driver d, String path) throws IOException {
        return d.uploads(path, d.key(path), false);
    }

    private static List<Long> partSizes(S3Driver d, String path, MultipartUpload u) throws IOException {
        return d.parts(path, d.key(path), u.uploadId()).stream().map(Part::size).toList();
    }

    private static void writeInChunks(FileWriter w, byte[] data, int from, int to, int chunk) throws IOException {
        for (int pos = from; pos < to; pos += chunk) {
            w.write(data, pos, Math.min(chunk, to - pos));
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static String sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = in.read(buf)) >= 0; ) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
