package io.berth.server.it.migrate.copy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.layout.PathLayout;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.core.storage.WalkVisitor;
import io.berth.migrate.copy.CopyOptions;
import io.berth.migrate.copy.CopyReport;
import io.berth.migrate.copy.StoreCopier;
import io.berth.server.it.BerthProcess;
import io.berth.server.it.DistributionRegistry;
import io.berth.server.it.Ports;
import io.berth.server.it.Skopeo;
import io.berth.server.it.StorageChecks;
import io.berth.server.it.TestImages;
import io.berth.server.storage.StorageLocation;
import io.berth.storage.s3.S3TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store written by distribution's own registry (Debian's docker-registry, pushed to with
 * skopeo) is copied to S3 (s3proxy) while that registry keeps running; `berth serve` on the
 * S3 copy then serves every tag with the digests distribution served, skopeo pulls them whole,
 * and a final pass after one more push copies just that.
 */
class DistributionStoreCopyTest {
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path tmp;

    @Test
    void distributionStoreCopiedToS3IsServedByBerthWithTheSameDigests() throws Exception {
        TestImages.Image image = TestImages.multiLayer(tmp.resolve("img"), "v1", 5001, 3, 20 * MIB);
        TestImages.Index multi = TestImages.multiPlatform(tmp.resolve("multi"), "multi", 5002);
        TestImages.Image small = TestImages.multiLayer(tmp.resolve("small"), "v2", 5003, 1, MIB);
        Path storage = tmp.resolve("dist-storage");

        S3TestServer s3 = S3TestServer.shared(S3TestServer.Kind.S3PROXY);
        String bucket = s3.createBucket();
        Map<String, Object> s3params = s3.driverParameters(bucket, "/from-distribution");
        String s3url = "s3://" + bucket + "/from-distribution?region=" + S3TestServer.REGION + "&endpoint="
                + s3.endpoint() + "&forcepathstyle=true&accesskey=" + S3TestServer.ACCESS_KEY
                + "&secretkey=" + S3TestServer.SECRET_KEY;

        Map<String, byte[]> served = new LinkedHashMap<>();
        try (DistributionRegistry dist = DistributionRegistry.start(storage, tmp.resolve("dist-work"))) {
            String host = dist.hostPort();
            Skopeo.copy(image.ociRef(), Skopeo.docker(host, "app/image:v1"));
            Skopeo.copy(image.ociRef(), Skopeo.docker(host, "app/image:latest"));
            Skopeo.copyAll(multi.ociRef(), Skopeo.docker(host, "app/multi:multi"));
            Skopeo.copyV2s2(small.ociRef(), Skopeo.docker(host, "other/docker:v2"));
            for (String ref : List.of("app/image:v1", "app/image:latest", "app/multi:multi", "other/docker:v2")) {
                served.put(ref, Skopeo.inspectRawBytes(Skopeo.docker(host, ref)));
            }

            // the source stays online: copy while distribution serves it
            CopyReport first;
            try (StorageDriver from = StorageLocation.open("file://" + storage.toAbsolutePath()).driver();
                 StorageDriver to = StorageLocation.open(s3url).driver()) {
                first = new StoreCopier(from, to, new CopyOptions(4, false, null, true)).run(null);
                assertTrue(first.clean(), first.toString());
                assertEquals(3, first.repositories());
                assertEquals(4, first.tagsCopied(), first.toString());
                assertEquals(tree(from), tree(to), "the S3 copy holds distribution's files, byte for byte");
            }

            // one more push, then the final pass copies only that tag
            Skopeo.copy(image.ociRef(), Skopeo.docker(host, "app/image:final"));
            served.put("app/image:final", Skopeo.inspectRawBytes(Skopeo.docker(host, "app/image:final")));
            try (StorageDriver from = StorageLocation.open("file://" + storage.toAbsolutePath()).driver();
                 StorageDriver to = StorageLocation.open(s3url).driver()) {
                CopyReport last = new StoreCopier(from, to, new CopyOptions(4, false, null, false)).run(null);
                assertTrue(last.clean(), last.toString());
                assertEquals(1, last.tagsCopied(), last.toString());
                assertEquals(0, last.blobsCopied(), last.toString());
                assertEquals(0, last.manifestsCopied(), last.toString());
                assertEquals(tree(from), tree(to));
            }
        }

        int port = Ports.free();
        Path config = writeS3Config(tmp.resolve("berth/config.yml"), s3params, port);
        Path log = tmp.resolve("berth/berth.log");
        try (BerthProcess berth = BerthProcess.start(config, null, "127.0.0.1:" + port, log)) {
            assertTrue(berth != null, "berth serve on S3 did not come up:\n" + BerthProcess.read(log));
            String host = berth.hostPort();
            for (Map.Entry<String, byte[]> e : served.entrySet()) {
                assertArrayEquals(e.getValue(), Skopeo.inspectRawBytes(Skopeo.docker(host, e.getKey())),
                        e.getKey() + ": Berth serves the manifest distribution served");
            }
            for (String tag : List.of("v1", "latest", "final")) {
                Path layout = tmp.resolve("pulled-image-" + tag);
                Skopeo.copy(Skopeo.docker(host, "app/image:" + tag), Skopeo.oci(layout, tag));
                assertEquals(image.manifestDigest(), TestImages.resolveTag(layout, tag).digest());
                assertEquals(image.layerDigests(), TestImages.layerDigests(layout, image.manifestDigest()));
                StorageChecks.assertLayoutHasBlobs(layout, image);
            }
            Path multiLayout = tmp.resolve("pulled-multi");
            Skopeo.copyAll(Skopeo.docker(host, "app/multi:multi"), Skopeo.oci(multiLayout, "multi"));
            assertEquals(multi.indexDigest(), TestImages.resolveTag(multiLayout, "multi").digest());
            for (TestImages.Image child : multi.manifests()) {
                assertArrayEquals(child.manifestBytes(), TestImages.readBlob(multiLayout, child.manifestDigest()));
                StorageChecks.assertLayoutHasBlobs(multiLayout, child);
            }
            Path dir = tmp.resolve("pulled-docker");
            Skopeo.copy(Skopeo.docker(host, "other/docker:v2"), Skopeo.dir(dir));
            assertArrayEquals(served.get("other/docker:v2"), Files.readAllBytes(dir.resolve("manifest.json")));
            StorageChecks.assertDirHasBlobs(dir, small.layerDigests());
            assertTrue(berth.isRunning(), berth.logTail());
        }
    }

    /** Berth's config.yml for the S3 store. */
    private static Path writeS3Config(Path file, Map<String, Object> s3params, int port) throws IOException {
        StringBuilder yaml = new StringBuilder("version: 0.1\nlog:\n  level: info\nstorage:\n  s3:\n");
        for (Map.Entry<String, Object> e : s3params.entrySet()) {
            yaml.append("    ").append(e.getKey()).append(": '").append(e.getValue()).append("'\n");
        }
        yaml.append("http:\n  addr: 127.0.0.1:").append(port).append("\n");
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
        return file;
    }

    /** Every file under /docker/registry/v2 except uploads: path → sha256 of its bytes. */
    static SortedMap<String, String> tree(StorageDriver driver) throws IOException {
        SortedMap<String, String> files = new TreeMap<>();
        try {
            driver.walk(PathLayout.ROOT, info -> {
                if (!info.isDirectory() && !info.path().contains("/_uploads/")) {
                    files.put(info.path(), sha256(driver, info.path()));
                }
                return WalkVisitor.Result.CONTINUE;
            });
        } catch (PathNotFoundException e) {
            // empty
        }
        return files;
    }

    private static String sha256(StorageDriver driver, String path) throws IOException {
        try (InputStream in = driver.reader(path, 0)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
