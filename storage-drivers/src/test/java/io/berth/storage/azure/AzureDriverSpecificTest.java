package io.berth.storage.azure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobType;
import io.berth.core.storage.FileWriter;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageException;
import io.berth.core.storage.WalkVisitor;
import io.berth.core.storage.Walks;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the shared suite cannot see: blob names and types, multi-MiB blocks, SAS, config and access errors. */
class AzureDriverSpecificTest {
    private static final int MIB = 1024 * 1024;

    private AzuriteServer azurite;
    private String containerName;
    private BlobContainerClient container;
    private final List<AzureDriver> drivers = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        azurite = AzuriteServer.shared();
        containerName = azurite.newContainer();
        container = azurite.service().getBlobContainerClient(containerName);
    }

    @AfterEach
    void tearDown() {
        drivers.forEach(AzureDriver::close);
        azurite.deleteContainer(containerName);
    }

    private AzureDriver driver(String rootDirectory) {
        Map<String, Object> p = azurite.parameters(containerName);
        if (rootDirectory != null) {
            p.put("rootdirectory", rootDirectory);
        }
        AzureDriver d = AzureDriver.fromParameters(p);
        drivers.add(d);
        return d;
    }

    private List<String> blobNames() {
        return container.listBlobs().stream().map(BlobItem::getName).toList();
    }

    private BlobType blobType(String name) {
        return container.getBlobClient(name).getProperties().getBlobType();
    }

    // ---- names ----

    @Test
    void blobNamesAreDistributionsWithAndWithoutRootDirectory() throws IOException {
        AzureDriver plain = driver(null);
        AzureDriver rooted = driver("/registry/v/");
        assertEquals(List.of(), plain.list("/"));
        assertEquals(List.of(), rooted.list("/"));
        plain.putContent("/docker/registry/v2/repositories/a/_layers/link", utf8("x"));
        rooted.putContent("/docker/registry/v2/blobs/data", utf8("y"));
        assertEquals(List.of("docker/registry/v2/repositories/a/_layers/link", "registry/v/docker/registry/v2/blobs/data"),
                blobNames());
        assertEquals(List.of("/docker"), rooted.list("/"));
        assertEquals(List.of("/docker", "/registry"), plain.list("/"));
        assertArrayEquals(utf8("y"), plain.getContent("/registry/v/docker/registry/v2/blobs/data"));
    }

    // ---- writer ----

    @Test
    void resumableUploadContinuesOnAnotherDriverInstance() throws Exception {
        byte[] content = random(10 * MIB + 12_345, 1);
        int cut = 6 * MIB + 777;
        AzureDriver a = driver("/r");
        try (FileWriter w = a.writer("/uploads/u1/data", false)) {
            for (int pos = 0; pos < cut; pos += 1_000_003) {
                w.write(content, pos, Math.min(1_000_003, cut - pos));
            }
            assertEquals(cut, w.size());
        } // closed without commit: what was written stays in the blob
        assertEquals(cut, a.stat("/uploads/u1/data").size());

        AzureDriver b = driver("/r"); // e.g. another registry replica, or this one after a restart
        try (FileWriter w = b.writer("/uploads/u1/data", true)) {
            assertEquals(cut, w.size());
            w.write(content, cut, content.length - cut);
            assertEquals(content.length, w.size());
            w.commit();
        }
        assertEquals(BlobType.APPEND_BLOB, blobType("r/uploads/u1/data"));
        try (InputStream in = a.reader("/uploads/u1/data", 0)) {
            assertEquals(sha256(content, 0, content.length), sha256(in));
        }
        try (InputStream in = a.reader("/uploads/u1/data", cut - 1)) {
            assertEquals(sha256(content, cut - 1, content.length - cut + 1), sha256(in));
        }
    }

    @Test
    void writesBiggerThanOneAppendBlockAreSplit() throws IOException {
        AzureDriver d = driver(null);
        byte[] content = random(9 * MIB + 5, 2);
        try (FileWriter w = d.writer("/big", false)) {
            w.write(content[0]); // leaves the buffer non-empty, so the big write first tops it up
            w.write(content, 1, content.length - 1);
            assertEquals(content.length, w.size());
            w.commit();
        }
        assertArrayEquals(content, d.getContent("/big"));
        // 4 MiB + 4 MiB + the rest: no Append Block was over the 4 MiB limit
        assertEquals(3, container.getBlobClient("big").getProperties().getCommittedBlockCount());

        byte[] exact = random(8 * MIB, 3);
        try (FileWriter w = d.writer("/exact", false)) {
            w.write(exact);
            w.commit();
        }
        assertArrayEquals(exact, d.getContent("/exact"));
        assertEquals(2, container.getBlobClient("exact").getProperties().getCommittedBlockCount());
    }

    @Test
    void putContentReplacesAnAppendBlobAndAppendContinuesABlockBlob() throws Exception {
        AzureDriver d = driver(null);
        try (FileWriter w = d.writer("/f", false)) {
            w.write(utf8("from a writer"));
            w.commit();
        }
        assertEquals(BlobType.APPEND_BLOB, blobType("f"));
        d.putContent("/f", utf8("put"));
        assertEquals(BlobType.BLOCK_BLOB, blobType("f"));
        assertArrayEquals(utf8("put"), d.getContent("/f"));

        byte[] big = random(5 * MIB + 3, 4); // more than one block once converted
        d.putContent("/g", big);
        try (FileWriter w = d.writer("/g", true)) {
            assertEquals(big.length, w.size());
            w.write(utf8("+tail"));
            w.commit();
        }
        assertEquals(BlobType.APPEND_BLOB, blobType("g"));
        byte[] got = d.getContent("/g");
        assertEquals(big.length + 5, got.length);
        assertEquals(sha256(big, 0, big.length), sha256(got, 0, big.length));
        assertEquals("+tail", new String(got, big.length, 5, StandardCharsets.UTF_8));

        d.putContent("/empty", new byte[0]);
        try (FileWriter w = d.writer("/empty", true)) {
            assertEquals(0, w.size());
            w.write(utf8("x"));
            w.commit();
        }
        assertArrayEquals(utf8("x"), d.getContent("/empty"));
    }

    @Test
    void racingWritersCannotInterleave() throws IOException {
        AzureDriver d = driver(null);
        try (FileWriter w = d.writer("/race", false)) {
            w.write(utf8("base-"));
        }
        FileWriter first = d.writer("/race", true);
        FileWriter second = driver(null).writer("/race", true);
        first.write(utf8("first"));
        first.commit();
        first.close();
        second.write(utf8("other"));
        assertThrows(StorageException.class, second::commit); // its append position is taken
        second.close();
        assertArrayEquals(utf8("base-first"), d.getContent("/race"));
    }

    // ---- move and delete ----

    @Test
    void moveOfMultiMiBAppendBlobOntoABlockBlob() throws Exception {
        AzureDriver d = driver("/root");
        byte[] content = random(7 * MIB + 11, 5);
        try (FileWriter w = d.writer("/uploads/x/data", false)) {
            w.write(content);
            w.commit();
        }
        d.putContent("/blobs/ab/data", utf8("an old block blob in the way"));
        d.move("/uploads/x/data", "/blobs/ab/data");
        assertThrows(PathNotFoundException.class, () -> d.stat("/uploads/x/data"));
        assertEquals(content.length, d.stat("/blobs/ab/data").size());
        try (InputStream in = d.reader("/blobs/ab/data", 0)) {
            assertEquals(sha256(content, 0, content.length), sha256(in));
        }
        assertEquals(List.of("root/blobs/ab/data"), blobNames());
    }

    @Test
    void deleteOfAPrefixWithManyBlobs() throws Exception {
        AzureDriver d = driver("/root");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> puts = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                String p = "/repo/x/" + (i % 7) + "/" + i;
                puts.add(pool.submit(() -> {
                    d.putContent(p, utf8(p));
                    return null;
                }));
            }
            for (Future<?> f : puts) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        d.putContent("/repo/xy", utf8("sibling"));
        d.putContent("/repo/x-1/keep", utf8("sibling dir"));
        d.delete("/repo/x");
        assertEquals(List.of("/repo/x-1", "/repo/xy"), d.list("/repo"));
        assertEquals(2, blobNames().size());
        assertThrows(PathNotFoundException.class, () -> d.delete("/repo/x"));
    }

    // ---- walk ----

    @Test
    void walkOrderWithTagLikeNamesMatchesTheListingWalk() throws IOException {
        AzureDriver d = driver("/root");
        List<String> files = List.of("/repo/_manifests/tags/1/current/link", "/repo/_manifests/tags/1/index/sha256/a/link",
                "/repo/_manifests/tags/1.0/current/link", "/repo/_manifests/tags/1-a/current/link",
                "/repo/_manifests/tags/1-a.b/current/link", "/repo/_manifests/tags/10/current/link",
                "/repo/_manifests/tags/1.0-rc/current/link", "/repo/_layers/sha256/ab/link", "/repo-x/y", "/repo.z",
                "/repo/_manifests/tags/1/-/x", "/repo/_manifests/tags/1/.x/..y", "/a.b/c", "/a-b", "/a/b");
        for (String f : files) {
            d.putContent(f, utf8(f));
        }
        List<String> seen = new ArrayList<>();
        d.walk("/repo/_manifests/tags", info -> {
            seen.add(info.path());
            return WalkVisitor.Result.CONTINUE;
        });
        String t = "/repo/_manifests/tags";
        assertEquals(List.of(t + "/1", t + "/1/-", t + "/1/-/x", t + "/1/.x", t + "/1/.x/..y", t + "/1/current",
                t + "/1/current/link", t + "/1/index", t + "/1/index/sha256", t + "/1/index/sha256/a",
                t + "/1/index/sha256/a/link", t + "/1-a", t + "/1-a/current", t + "/1-a/current/link", t + "/1-a.b",
                t + "/1-a.b/current", t + "/1-a.b/current/link", t + "/1.0", t + "/1.0/current", t + "/1.0/current/link",
                t + "/1.0-rc", t + "/1.0-rc/current", t + "/1.0-rc/current/link", t + "/10", t + "/10/current",
                t + "/10/current/link"), seen);
        for (String root : List.of("/", "/repo", "/repo/_manifests/tags", "/a.b")) {
            assertEquals(listingWalk(d, root), flatWalk(d, root), root);
        }
        // SKIP_DIR and STOP behave as in the listing walk
        WalkVisitor skip = info -> info.path().endsWith("/1") || info.path().endsWith("/1-a.b")
                ? WalkVisitor.Result.SKIP_DIR : WalkVisitor.Result.CONTINUE;
        assertEquals(collect(d, "/", skip, true), collect(d, "/", skip, false));
        List<String> stopped = new ArrayList<>();
        d.walk("/repo", info -> {
            stopped.add(info.path());
            return info.path().endsWith("/1.0") ? WalkVisitor.Result.STOP : WalkVisitor.Result.CONTINUE;
        });
        assertEquals("/repo/_manifests/tags/1.0", stopped.get(stopped.size() - 1));
        assertTrue(stopped.contains("/repo/_manifests/tags/1-a.b/current/link"));
        assertFalse(stopped.contains("/repo/_manifests/tags/1.0/current"));
    }

    @Test
    void walkOfRandomNamesMatchesTheListingWalk() throws Exception {
        AzureDriver d = driver(null);
        Random rnd = new Random(42);
        String alphabet = "ab-.0";
        List<String> paths = new ArrayList<>();
        while (paths.size() < 150) {
            StringBuilder p = new StringBuilder();
            int depth = 1 + rnd.nextInt(4);
            for (int k = 0; k < depth; k++) {
                p.append('/');
                int len = 1 + rnd.nextInt(3);
                for (int c = 0; c < len; c++) {
                    p.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
                }
            }
            String path = p.toString();
            boolean clash = path.matches(".*/\\.{1,2}(/.*)?$") // "." and ".." segments are not valid paths
                    // nor a name that is a file and a directory at once, which only object stores allow
                    || paths.stream().anyMatch(q -> q.equals(path) || q.startsWith(path + "/") || path.startsWith(q + "/"));
            if (!clash) {
                paths.add(path);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> puts = new ArrayList<>();
            for (String path : paths) {
                puts.add(pool.submit(() -> {
                    d.putContent(path, utf8(path));
                    return null;
                }));
            }
            for (Future<?> f : puts) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(listingWalk(d, "/"), flatWalk(d, "/"));
    }

    private static List<String> listingWalk(AzureDriver d, String root) throws IOException {
        List<String> out = new ArrayList<>();
        Walks.walkByListing(d, root, info -> {
            out.add(info.path() + (info.isDirectory() ? "/" : " " + info.size()));
            return WalkVisitor.Result.CONTINUE;
        });
        return out;
    }

    private static List<String> flatWalk(AzureDriver d, String root) throws IOException {
        List<String> out = new ArrayList<>();
        d.walk(root, info -> {
            out.add(info.path() + (info.isDirectory() ? "/" : " " + info.size()));
            return WalkVisitor.Result.CONTINUE;
        });
        return out;
    }

    private static List<String> collect(AzureDriver d, String root, WalkVisitor v, boolean listing) throws IOException {
        List<String> out = new ArrayList<>();
        WalkVisitor recording = info -> {
            out.add(info.path());
            return v.visit(info);
        };
        if (listing) {
            Walks.walkByListing(d, root, recording);
        } else {
            d.walk(root, recording);
        }
        return out;
    }

    // ---- redirect ----

    @Test
    void redirectUrlIsAReadOnlySasUrl() throws Exception {
        AzureDriver d = driver("/root");
        byte[] content = random(300_000, 6);
        d.putContent("/blobs/data", content);
        String url = d.redirectUrl("/blobs/data", "GET", Duration.ofMinutes(5)).orElseThrow();
        assertTrue(url.startsWith(azurite.serviceUrl() + "/" + containerName + "/root/blobs/data?"), url);
        assertTrue(url.contains("sp=r") && url.contains("se=") && url.contains("sig="), url);
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<byte[]> get = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, get.statusCode());
        assertArrayEquals(content, get.body());
        // read-only: the same signature cannot write
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("x-ms-blob-type", "BlockBlob").PUT(HttpRequest.BodyPublishers.ofString("evil")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, put.statusCode());
        assertArrayEquals(content, d.getContent("/blobs/data"));
        assertEquals(Optional.empty(), d.redirectUrl("/blobs/data", "PUT", Duration.ofMinutes(5)));

        Map<String, Object> p = azurite.parameters(containerName);
        p.remove("accountkey");
        p.put("credentials", Map.of("type", "default_credentials"));
        assertParamError(p, "storage.azure.serviceurl: credentials.type default_credentials sends bearer tokens", m -> { });
        p.put("serviceurl", "https://127.0.0.1:1/devstoreaccount1"); // never contacted
        try (AzureDriver token = AzureDriver.fromParameters(p)) {
            assertEquals(Optional.empty(), token.redirectUrl("/blobs/data", "GET", Duration.ofMinutes(5)));
        }
    }

    // ---- configuration and access ----

    @Test
    void parameterErrorsNameTheKey() {
        Map<String, Object> ok = azurite.parameters(containerName);
        assertParamError(ok, "storage.azure.bucket: unknown parameter", m -> m.put("bucket", "x"));
        assertParamError(ok, "storage.azure.accountname: missing", m -> m.remove("accountname"));
        assertParamError(ok, "storage.azure.container: missing", m -> m.remove("container"));
        assertParamError(ok, "storage.azure.container: invalid container name", m -> m.put("container", "Bad_Name"));
        assertParamError(ok, "storage.azure.accountkey: missing", m -> m.remove("accountkey"));
        assertParamError(ok, "storage.azure.accountkey: not a base64", m -> m.put("accountkey", "not base64!"));
        assertParamError(ok, "storage.azure.credentials.type: unknown type", m -> m.put("credentials", Map.of("type", "magic")));
        assertParamError(ok, "storage.azure.credentials.password: unknown parameter",
                m -> m.put("credentials", Map.of("type", "shared_key", "password", "x")));
        assertParamError(ok, "storage.azure.credentials.tenantid: missing",
                m -> m.put("credentials", Map.of("type", "client_secret", "clientid", "c", "secret", "s")));
        assertParamError(ok, "storage.azure.retry_delay: invalid duration", m -> m.put("retry_delay", "100"));
        assertParamError(ok, "storage.azure.max_retries: not an integer", m -> m.put("max_retries", "many"));
        assertParamError(ok, "storage.azure.skipverify: not a boolean", m -> m.put("skipverify", "maybe"));
        assertParamError(ok, "storage.azure.serviceurl: not an http(s) URL", m -> m.put("serviceurl", "ftp://x"));

        AzureParameters defaults = AzureParameters.parse(Map.of("accountname", "acct", "accountkey", AzuriteServer.KEY,
                "container", "registry", "rootdirectory", "/a/b/"));
        assertEquals("https://acct.blob.core.windows.net", defaults.serviceUrl());
        assertEquals("a/b", defaults.rootDirectory());
        assertEquals(AzureParameters.CredentialsType.SHARED_KEY, defaults.credentialsType());
        assertEquals(5, defaults.maxRetries());
        assertEquals(Duration.ofMillis(100), defaults.retryDelay());
        assertFalse(defaults.toString().contains(AzuriteServer.KEY));

        Map<String, Object> more = new LinkedHashMap<>(Map.of("accountname", "acct", "container", "registry",
                "realm", "core.chinacloudapi.cn", "max_retries", "7", "copy_status_poll_delay", "1.5s",
                "credentials", Map.of("type", "client_secret", "clientid", "c", "tenantid", "t", "secret", "s")));
        AzureParameters custom = AzureParameters.parse(more);
        assertEquals("https://acct.blob.core.chinacloudapi.cn", custom.serviceUrl());
        assertEquals(7, custom.maxRetries());
        assertEquals(Duration.ofMillis(1500), custom.retryDelay());
        assertEquals(AzureParameters.CredentialsType.CLIENT_SECRET, custom.credentialsType());
        assertEquals(Duration.ofMinutes(90), AzureParameters.parseGoDuration("k", "1h30m"));

        AzureParameters fromConnectionString = AzureParameters.parse(Map.of("container", "registry", "connectionstring",
                "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + AzuriteServer.KEY
                        + ";BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;"));
        assertEquals("devstoreaccount1", fromConnectionString.accountName());
        assertEquals(AzuriteServer.KEY, fromConnectionString.accountKey());
        assertEquals("http://127.0.0.1:1/devstoreaccount1", fromConnectionString.serviceUrl());
    }

    private static void assertParamError(Map<String, Object> base, String expected, Consumer<Map<String, Object>> change) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        change.accept(m);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AzureDriver.fromParameters(m));
        assertTrue(e.getMessage().startsWith(expected), () -> "expected \"" + expected + "\" but was: " + e.getMessage());
    }

    @Test
    void checkAccessNamesContainerAndAccountKey() throws IOException {
        driver(null).checkAccess(); // the good case says nothing

        Map<String, Object> missing = azurite.parameters("no-such-container");
        StorageException e1 = assertThrows(StorageException.class, () -> AzureDriver.fromParameters(missing).checkAccess());
        assertTrue(e1.getMessage().startsWith("storage.azure.container: container no-such-container does not exist"),
                e1.getMessage());
        // and operations say so too, rather than reporting every path missing
        try (AzureDriver d = AzureDriver.fromParameters(missing)) {
            for (var op : List.<org.junit.jupiter.api.function.Executable>of(() -> d.stat("/x"), () -> d.getContent("/x"),
                    () -> d.list("/"), () -> d.putContent("/x", utf8("x")), () -> d.reader("/x", 0))) {
                StorageException e = assertThrows(StorageException.class, op);
                assertFalse(e instanceof PathNotFoundException, e.toString());
                assertTrue(e.getMessage().startsWith("storage.azure.container: container no-such-container"), e.getMessage());
            }
        }

        Map<String, Object> wrongKey = azurite.parameters(containerName);
        wrongKey.put("accountkey", java.util.Base64.getEncoder().encodeToString(random(64, 7)));
        StorageException e2 = assertThrows(StorageException.class, () -> AzureDriver.fromParameters(wrongKey).checkAccess());
        assertTrue(e2.getMessage().startsWith("storage.azure.accountkey: authentication failed"), e2.getMessage());
    }

    // ---- helpers ----

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b, int off, int len) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(b, off, len);
        return HexFormat.of().formatHex(md.digest());
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[70_001];
        for (int n; (n = in.read(buf)) >= 0; ) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
