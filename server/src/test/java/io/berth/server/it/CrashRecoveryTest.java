package io.berth.server.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Berth as its own process, killed with SIGKILL in the middle of writes and restarted on the same
 * storage root: nothing half-written may ever appear as a blob or a layer, and clients can carry on.
 */
class CrashRecoveryTest {
    private static final int MIB = 1024 * 1024;
    private static final Pattern RANGE = Pattern.compile("^0-(\\d+)$");

    @TempDir
    Path tmp;

    @Test
    void killDuringAChunkUploadLeavesNoPartialBlobAndTheUploadResumes() throws Exception {
        Path root = tmp.resolve("root");
        String repo = "crash/upload";
        byte[] content = TestImages.randomBytes(64 * MIB, 77);
        String digest = TestImages.sha256(content);
        String uuid;
        long onDisk;

        BerthProcess berth = BerthProcess.start(root, tmp.resolve("run1"));
        try {
            Http.Response post = Http.post(berth.url() + "/v2/" + repo + "/blobs/uploads/", new byte[0]);
            assertEquals(202, post.status(), post.toString());
            uuid = post.header("Docker-Upload-UUID");
            Path data = StorageChecks.v2(root).resolve("repositories/" + repo + "/_uploads/" + uuid + "/data");
            assertTrue(Files.isRegularFile(data), "upload data file " + data);

            // A streamed PATCH announcing 64 MiB; only the first 24 MiB are sent, then the client stalls
            // with the request still open, and the server is killed while it waits for the rest.
            try (Socket socket = new Socket("127.0.0.1", berth.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("PATCH " + Http.pathAndQuery(post.header("Location")) + " HTTP/1.1\r\n"
                        + "Host: " + berth.hostPort() + "\r\n"
                        + "Content-Type: application/octet-stream\r\n"
                        + "Content-Length: " + content.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                int sent = 0;
                while (sent < 24 * MIB) {
                    out.write(content, sent, MIB);
                    sent += MIB;
                }
                out.flush();
                awaitSize(data, 8L * MIB, berth);
                int exit = berth.kill9();
                assertEquals(137, exit, "killed by SIGKILL (128 + 9)");
            }
            onDisk = Files.size(data);
            assertTrue(onDisk > 0 && onDisk < content.length, "partial upload data: " + onDisk);
            assertArrayEquals(Arrays.copyOfRange(content, 0, (int) onDisk), Files.readAllBytes(data),
                    "the upload data is exactly a prefix of what was sent");
        } finally {
            berth.close();
        }

        // On disk after the crash: the partial content is nowhere but in _uploads.
        String partialDigest = StorageChecks.sha256(content, 0, (int) onDisk);
        assertNoTraceOf(root, repo, digest, partialDigest);

        try (BerthProcess again = BerthProcess.start(root, tmp.resolve("run2"))) {
            String uploadUrl = again.url() + "/v2/" + repo + "/blobs/uploads/" + uuid;
            Http.Response status = Http.get(uploadUrl);
            System.out.println("after the restart the upload answers " + status.status() + " Range "
                    + status.header("Range") + " (" + onDisk + " bytes on disk)");
            if (status.status() == 204) {
                // Resume where the server says it is.
                Matcher m = RANGE.matcher(String.valueOf(status.header("Range")));
                assertTrue(m.matches(), status.toString());
                long offset = Long.parseLong(m.group(1)) + 1;
                assertEquals(onDisk, offset, "the reported offset is what reached storage");
                // A client assuming everything it sent arrived is refused, and nothing is appended.
                int assumed = 24 * MIB;
                Http.Response wrong = Http.patch(uploadUrl, Arrays.copyOfRange(content, assumed, assumed + MIB),
                        "Content-Type", "application/octet-stream",
                        "Content-Range", assumed + "-" + (assumed + MIB - 1));
                assertEquals(416, wrong.status(), wrong.toString());
                assertEquals("0-" + (offset - 1), Http.get(uploadUrl).header("Range"));
                Http.Response patch = Http.patch(uploadUrl, Arrays.copyOfRange(content, (int) offset, content.length),
                        "Content-Type", "application/octet-stream",
                        "Content-Range", offset + "-" + (content.length - 1));
                assertEquals(202, patch.status(), patch.toString());
                assertEquals("0-" + (content.length - 1), patch.header("Range"));
                Http.Response put = Http.put(Http.withDigest(
                        Http.resolve(again.url(), patch.header("Location")), digest), new byte[0]);
                assertEquals(201, put.status(), put.toString() + "\n" + again.logTail());
                assertEquals(digest, put.header("Docker-Content-Digest"));
            } else {
                // Gone is acceptable; then the client must be able to start over cleanly.
                assertEquals(404, status.status(), status.toString());
                assertTrue(status.bodyString().contains("BLOB_UPLOAD_UNKNOWN"), status.toString());
                monolithicUpload(again.url(), repo, content, digest);
            }
            Http.Response get = Http.get(again.url() + "/v2/" + repo + "/blobs/" + digest);
            assertEquals(200, get.status());
            assertEquals(digest, TestImages.sha256(get.body()));
            assertArrayEquals(content, get.body());

            // A fresh upload of the same content elsewhere also just works (the blob is reused).
            monolithicUpload(again.url(), "crash/other", content, digest);
            assertTrue(again.isRunning(), again.logTail());
        }
        List<String> blobs = StorageChecks.assertEveryBlobHashesToItsPath(root);
        assertTrue(blobs.contains(digest), blobs.toString());
        assertFalse(blobs.contains(partialDigest), "the partial content never became a blob");
        StorageChecks.assertLink(StorageChecks.layerLink(root, repo, digest), digest);
        assertFalse(Files.exists(StorageChecks.layerLink(root, repo, partialDigest)));
    }

    @Test
    void killDuringASkopeoPushThenPushAgainSucceeds() throws Exception {
        TestImages.Image image = TestImages.multiLayer(tmp.resolve("image"), "v1", 78, 4, 60L * MIB);
        Path root = tmp.resolve("root");
        String repo = "crash/push";
        Path uploads = StorageChecks.v2(root).resolve("repositories/" + repo + "/_uploads");

        BerthProcess berth = BerthProcess.start(root, tmp.resolve("run1"));
        Processes.Result interrupted;
        try {
            String ref = Skopeo.docker(berth.hostPort(), repo + ":v1");
            CompletableFuture<Processes.Result> push =
                    CompletableFuture.supplyAsync(() -> Skopeo.tryCopy(image.ociRef(), ref));
            // Kill once layer data is streaming in: at least 4 MiB sitting in upload files.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (uploadBytes(uploads) < 4L * MIB) {
                if (push.isDone() || System.nanoTime() > deadline) {
                    fail("the push ended (or never got going) before Berth could be killed mid-upload: "
                            + (push.isDone() ? push.get().describe() : "timeout") + "\n" + berth.logTail());
                }
                Thread.sleep(2);
            }
            assertEquals(137, berth.kill9());
            interrupted = push.get(2, TimeUnit.MINUTES);
        } finally {
            berth.close();
        }
        assertNotEquals(0, interrupted.exitCode(), "the push failed when the server died\n" + interrupted.describe());
        assertFalse(Files.exists(StorageChecks.v2(root).resolve("repositories/" + repo + "/_manifests/tags/v1")),
                "no tag from the interrupted push");
        StorageChecks.assertEveryBlobHashesToItsPath(root);
        assertLayerLinksResolve(root, repo);

        try (BerthProcess again = BerthProcess.start(root, tmp.resolve("run2"))) {
            String ref = Skopeo.docker(again.hostPort(), repo + ":v1");
            Skopeo.copy(image.ociRef(), ref);
            assertArrayEquals(image.manifestBytes(), Skopeo.inspectRawBytes(ref));
            Path out = tmp.resolve("pulled");
            Skopeo.copy(ref, Skopeo.oci(out, "v1"));
            TestImages.Blob pulled = TestImages.resolveTag(out, "v1");
            assertEquals(image.manifestDigest(), pulled.digest());
            assertEquals(image.configDigest(),
                    TestImages.readBlobJson(out, pulled.digest()).path("config").path("digest").asText());
            assertEquals(image.layerDigests(), TestImages.layerDigests(out, pulled.digest()));
            StorageChecks.assertLayoutHasBlobs(out, image);
            assertTrue(again.isRunning(), again.logTail());
        }
        List<String> blobs = StorageChecks.assertEveryBlobHashesToItsPath(root);
        assertTrue(blobs.containsAll(image.layerDigests()), blobs.toString());
        assertLayerLinksResolve(root, repo);
    }

    private static void monolithicUpload(String baseUrl, String repo, byte[] content, String digest) {
        Http.Response r = Http.post(baseUrl + "/v2/" + repo + "/blobs/uploads/?digest=" + digest, content,
                "Content-Type", "application/octet-stream");
        assertEquals(201, r.status(), r.toString());
        assertEquals(digest, r.header("Docker-Content-Digest"));
    }

    /** Neither the whole content nor the part that arrived exists as a blob or a layer link. */
    private static void assertNoTraceOf(Path root, String repo, String... digests) {
        StorageChecks.assertEveryBlobHashesToItsPath(root);
        for (String d : digests) {
            assertFalse(Files.exists(StorageChecks.blobData(root, d).getParent()), "no blob " + d);
            assertFalse(Files.exists(StorageChecks.layerLink(root, repo, d).getParent()), "no layer link " + d);
        }
        assertLayerLinksResolve(root, repo);
    }

    /** Every {@code _layers} link names its own directory's digest and points at intact blob data. */
    static void assertLayerLinksResolve(Path root, String repo) {
        Path layers = StorageChecks.v2(root).resolve("repositories/" + repo + "/_layers/sha256");
        if (!Files.exists(layers)) {
            return;
        }
        List<Path> links = new ArrayList<>();
        try (Stream<Path> s = Files.list(layers)) {
            s.forEach(dir -> links.add(dir.resolve("link")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path link : links) {
            String digest = "sha256:" + link.getParent().getFileName();
            StorageChecks.assertLink(link, digest);
            Path data = StorageChecks.blobData(root, digest);
            assertTrue(Files.isRegularFile(data), "layer link " + link + " without blob data");
            assertEquals(digest, StorageChecks.sha256(data));
        }
    }

    private static long uploadBytes(Path uploads) {
        if (!Files.isDirectory(uploads)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(uploads)) {
            return s.map(d -> d.resolve("data")).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0; // not created yet, or already committed and moved
                }
            }).sum();
        } catch (IOException e) {
            return 0; // the directory changes under us
        }
    }

    private static void awaitSize(Path file, long atLeast, BerthProcess berth) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (Files.size(file) >= atLeast) {
                    return;
                }
            } catch (IOException e) {
                fail("upload data vanished: " + e + "\n" + berth.logTail());
            }
            if (System.nanoTime() > deadline) {
                fail(file + " did not reach " + atLeast + " bytes\n" + berth.logTail());
            }
            Thread.sleep(5);
        }
    }
}
