package io.berth.server.it.gc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.server.it.BerthProcess;
import io.berth.server.it.Http;
import io.berth.server.it.Ports;
import io.berth.server.it.Processes;
import io.berth.server.it.Skopeo;
import io.berth.server.it.StorageChecks;
import io.berth.server.it.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * distribution's trap with {@code storage.cache.blobdescriptor: inmemory}: after a gc the registry
 * still answers "present" for the blobs gc deleted, so a client pushing the same image again skips
 * its layers, the manifest is accepted, and the image cannot be pulled until the registry restarts.
 * Here {@code berth serve} (cache on) and {@code berth gc} run as separate processes, as from cron,
 * with skopeo as the client.
 */
class GcWithCachingRegistryTest {
    @TempDir
    Path tmp;

    @Test
    void anImagePushedAgainAfterGcDeletedItsBlobsPullsComplete() throws IOException {
        Path root = tmp.resolve("store");
        TestImages.Image img = TestImages.multiLayer(tmp.resolve("img"), "1.0", 17, 3, 300_000);
        int port = Ports.free();
        Path config = tmp.resolve("config.yml");
        Files.writeString(config, "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: '"
                + root.toAbsolutePath() + "'\n  delete:\n    enabled: true\n  cache:\n    blobdescriptor: inmemory\n"
                + "http:\n  addr: 127.0.0.1:" + port + "\n");
        String host = "127.0.0.1:" + port;
        List<String> blobs = new ArrayList<>(img.layerDigests());
        blobs.add(img.configDigest());
        try (BerthProcess berth = BerthProcess.start(config, null, host, tmp.resolve("berth.log"))) {
            assertTrue(berth != null, "berth serve did not start");
            Path caches = root.resolve("docker/registry/v2/gc/caches");
            assertEquals(1, awaitCount(caches, 1), "the serving registry registers its cache");
            String ref = Skopeo.docker(host, "cached/app:1.0");
            Skopeo.copy(img.ociRef(), ref);
            for (String d : blobs) { // now in the cache
                assertEquals(200, Http.head(berth.url() + "/v2/cached/app/blobs/" + d).status());
            }
            assertEquals(202, Http.delete(berth.url() + "/v2/cached/app/manifests/" + img.manifestDigest()).status());

            Processes.Result gc = BerthProcess.run(null, "gc", "-q", "-m", "--grace-period", "0",
                    "file://" + root.toAbsolutePath());
            assertEquals(0, gc.exitCode(), gc.describe());
            for (String d : blobs) {
                assertFalse(Files.exists(StorageChecks.blobData(root, d)), "gc deleted " + d);
            }
            assertFalse(Files.exists(root.resolve("docker/registry/v2/gc/running")), "gc removed its marker");

            for (String d : blobs) { // what the client asks before it decides to skip an upload
                assertEquals(404, Http.head(berth.url() + "/v2/cached/app/blobs/" + d).status(),
                        "HEAD " + d + " after gc deleted it\n" + berth.logTail());
            }
            Skopeo.copy(img.ociRef(), ref);
            Path pulled = tmp.resolve("pulled");
            Skopeo.copy(ref, Skopeo.oci(pulled, "1.0"));
            for (String d : blobs) {
                assertArrayEquals(TestImages.readBlob(img.layout(), d), TestImages.readBlob(pulled, d));
                assertTrue(Files.exists(StorageChecks.blobData(root, d)), d + " is stored again");
            }
            berth.sigterm();
            berth.awaitExit(Duration.ofSeconds(60));
            assertEquals(0, awaitCount(caches, 0), "a registry that stopped removes its registration");
        }
    }

    /** The number of files in {@code dir} once it is {@code want}, or after five seconds. */
    private static long awaitCount(Path dir, long want) throws IOException {
        long n = -1;
        for (int i = 0; i < 50 && n != want; i++) {
            if (i > 0) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    n = s.count();
                }
            }
        }
        return n;
    }
}
