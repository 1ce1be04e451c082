package io.berth.server.it.cloud;

import static io.berth.server.it.cloud.FaultProxy.any;
import static io.berth.server.it.cloud.FaultProxy.op;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.it.Http;
import io.berth.server.it.Processes;
import io.berth.server.it.Skopeo;
import io.berth.server.it.StorageChecks;
import io.berth.server.it.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Berth on S3Mock behind a {@link FaultProxy}: transient 500/503 answers and slow calls are
 * absorbed by the SDK's retries; a permanent failure gives the client a JSON 5xx (no stack trace),
 * Berth's log names the failed S3 operation, nothing half-committed becomes visible, and once the
 * backend is healthy again the same push succeeds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3FaultInjectionTest {
    private static final int MIB = CloudImages.MIB;
    private static final String OCTETS = "application/octet-stream";

    private Path tmp;
    private FaultProxy proxy;
    private CloudBerth berth;

    @BeforeAll
    void start() throws IOException {
        tmp = Files.createTempDirectory("berth-it-faults");
        CloudBackend.S3 s3mock = (CloudBackend.S3) CloudBackend.of(CloudBackend.Kind.S3MOCK);
        String bucket = s3mock.newStore();
        proxy = new FaultProxy(s3mock.server.endpoint());
        Map<String, Object> params = s3mock.parameters(bucket);
        params.put("regionendpoint", proxy.endpoint().toString());
        // S3's smallest parts, so a 12 MiB layer takes several UploadParts and a multipart copy
        params.put("chunksize", 5 * MIB);
        params.put("multipartcopychunksize", 5 * MIB);
        params.put("multipartcopythresholdsize", 8 * MIB);
        berth = CloudBerth.start("s3", params, null, tmp.resolve("berth"));
    }

    @AfterEach
    void heal() {
        proxy.heal();
    }

    @AfterAll
    void stop() {
        if (berth != null) {
            berth.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        CloudImages.deleteTree(tmp);
    }

    @Test
    void transientFaultsAndSlowCallsAreAbsorbedByRetries() {
        // 12 MiB: three UploadParts, and a move by multipart copy (above the 8 MiB threshold)
        TestImages.Image image = CloudImages.compose(tmp.resolve("transient"), "v1", 31, 12L * MIB, 2L * MIB);
        // (503 SlowDown is a throttling error, which the SDK backs off from for a second or more:
        // a few of those, and plain 500s for the rest, keep the test quick)
        proxy.failEvery("every 9th call", 9, any(), 500, "InternalError")
                .fail("UploadPart", op("UploadPart"), 2, 503, "SlowDown")
                .fail("CompleteMultipartUpload", op("CompleteMultipartUpload"), 1, 503, "SlowDown")
                .fail("UploadPartCopy", op("UploadPartCopy"), 1, 500, "InternalError")
                .fail("PutObject", op("PutObject"), 2, 503, "ServiceUnavailable")
                .fail("HeadObject", op("HeadObject"), 2, 500, "InternalError")
                .delay("slow UploadPart", op("UploadPart"), 2, Duration.ofSeconds(1))
                .delay("slow CopyObject", op("CopyObject"), 1, Duration.ofSeconds(1));
        long logBefore = logLength();
        String ref = Skopeo.docker(berth.hostPort(), "faults/transient:v1");
        Skopeo.copy(image.ociRef(), ref);
        List<String> injected = proxy.heal();

        String report = String.join("\n", injected);
        for (String rule : List.of("every 9th call", "UploadPart", "CompleteMultipartUpload", "UploadPartCopy",
                "PutObject", "HeadObject", "slow UploadPart", "slow CopyObject")) {
            assertTrue(injected.stream().anyMatch(i -> i.startsWith(rule + ": ")), "injected " + rule + ":\n" + report);
        }
        System.out.println("transient faults injected during the push (" + injected.size() + "):\n" + report);
        String log = logSince(logBefore);
        assertFalse(log.contains("level=error"), "retried faults are not errors:\n" + log);

        Path out = tmp.resolve("transient-pulled");
        Skopeo.copy(ref, Skopeo.oci(out, "v1"));
        assertEquals(image.manifestDigest(), TestImages.resolveTag(out, "v1").digest());
        StorageChecks.assertLayoutHasBlobs(out, image);
    }

    @Test
    void everyCallFailingGivesJson500sAndALogLineNamingTheOperation() {
        proxy.fail("down", any(), -1, 500, "InternalError");
        long logBefore = logLength();
        Http.Response post = Http.post(berth.url() + "/v2/faults/down/blobs/uploads/", new byte[0]);
        assertCleanServerError(post);
        String digest = TestImages.sha256("x".getBytes(StandardCharsets.UTF_8));
        int before = proxy.injected.size();
        long t0 = System.nanoTime();
        Http.Response head = Http.head(berth.url() + "/v2/faults/down/blobs/" + digest);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        List<String> calls = List.copyOf(proxy.injected.subList(before, proxy.injected.size()));
        assertTrue(head.status() >= 500, head.toString());
        // the SDK's 5 attempts, then single probes of the key's ancestors (see S3Driver.ancestorIsObject),
        // not 5 attempts of each probe
        assertTrue(calls.size() <= 20, calls.size() + " S3 calls for one blob HEAD while S3 fails:\n"
                + String.join("\n", calls));
        System.out.println("blob HEAD while S3 answers 500: " + head.status() + " after " + millis + " ms and "
                + calls.size() + " S3 calls");
        proxy.heal();
        assertOperationLogged(logSince(logBefore), "PutObject", 2); // the POST and the HEAD
        assertTrue(berth.isRunning());

        Http.Response again = Http.post(berth.url() + "/v2/faults/down/blobs/uploads/", new byte[0]);
        assertEquals(202, again.status(), "healthy again: " + again);
    }

    @Test
    void failedMoveIntoTheBlobStoreLeavesNothingVisibleAndTheRetriedPushSucceeds() {
        TestImages.Image image = TestImages.multiLayer(tmp.resolve("copyfail"), "v1", 32, 2, 3L * MIB);
        String ref = Skopeo.docker(berth.hostPort(), "faults/copy:v1");
        proxy.fail("copy", op("CopyObject", "UploadPartCopy"), -1, 500, "InternalError");
        long logBefore = logLength();
        Processes.Result failed = Skopeo.tryCopy(image.ociRef(), ref);
        List<String> injected = proxy.heal();
        assertNotEquals(0, failed.exitCode(), "the push fails while S3 refuses every copy\n" + failed.describe());
        assertTrue(failed.stderr().contains("500"), "skopeo reports the registry's 500\n" + failed.describe());
        assertFalse(injected.isEmpty());
        assertOperationLogged(logSince(logBefore), "CopyObject", -1); // skopeo pushes blobs in parallel

        String base = berth.url() + "/v2/faults/copy";
        for (String d : image.layerDigests()) {
            assertEquals(404, Http.head(base + "/blobs/" + d).status(), "layer " + d + " is not visible");
        }
        assertEquals(404, Http.get(base + "/manifests/v1", "Accept", TestImages.OCI_MANIFEST).status());

        Skopeo.copy(image.ociRef(), ref);
        Path out = tmp.resolve("copy-pulled");
        Skopeo.copy(ref, Skopeo.oci(out, "v1"));
        assertEquals(image.manifestDigest(), TestImages.resolveTag(out, "v1").digest());
        StorageChecks.assertLayoutHasBlobs(out, image);
    }

    @Test
    void failedCompletionKeepsTheUploadAndTheSamePutSucceedsLater() {
        String base = berth.url() + "/v2/faults/complete";
        byte[] content = TestImages.randomBytes(12 * MIB + 7, 33);
        String digest = TestImages.sha256(content);
        Http.Response post = Http.post(base + "/blobs/uploads/", new byte[0]);
        assertEquals(202, post.status(), post.toString());
        Http.Response patch = Http.patch(Http.resolve(berth.url(), post.header("Location")), content,
                "Content-Type", OCTETS, "Content-Range", "0-" + (content.length - 1));
        assertEquals(202, patch.status(), patch.toString());
        String put = Http.withDigest(Http.resolve(berth.url(), patch.header("Location")), digest);

        proxy.fail("complete", op("CompleteMultipartUpload"), -1, 500, "InternalError");
        long logBefore = logLength();
        Http.Response failed = Http.put(put, new byte[0]);
        proxy.heal();
        assertCleanServerError(failed);
        assertOperationLogged(logSince(logBefore), "CompleteMultipartUpload", 1);
        assertEquals(404, Http.head(base + "/blobs/" + digest).status(), "not committed, not visible");

        Http.Response retried = Http.put(put, new byte[0]);
        assertEquals(201, retried.status(), retried + "\n" + berth.logTail());
        assertEquals(200, Http.head(base + "/blobs/" + digest).status());
        assertArrayEquals(content, CloudServeContract.fetchBlob(berth, "faults/complete", digest));
    }

    @Test
    void sourceDeleteFailingAfterTheCopyLeavesTheBlobUnlinkedUntilRetried() {
        String repo = "faults/delete";
        byte[] content = TestImages.randomBytes(2 * MIB + 1, 34);
        String digest = TestImages.sha256(content);
        proxy.fail("delete upload data", r -> r.operation().equals("DeleteObject") && r.path().endsWith("/data")
                && r.path().contains("/_uploads/"), -1, 500, "InternalError");
        long logBefore = logLength();
        Http.Response failed = Http.post(berth.url() + "/v2/" + repo + "/blobs/uploads/?digest=" + digest, content,
                "Content-Type", OCTETS);
        proxy.heal();
        assertCleanServerError(failed);
        assertOperationLogged(logSince(logBefore), "DeleteObject", 1);
        assertEquals(404, Http.head(berth.url() + "/v2/" + repo + "/blobs/" + digest).status(),
                "copied into the blob store but never linked: not visible");

        assertEquals(digest, CloudServeContract.monolithic(berth, repo, content));
        assertArrayEquals(content, CloudServeContract.fetchBlob(berth, repo, digest));
    }

    // ---- helpers ----

    /** A 5xx with the spec's JSON error body, and no stack trace or exception text in it. */
    private void assertCleanServerError(Http.Response r) {
        assertTrue(r.status() >= 500 && r.status() < 600, r.toString());
        assertTrue(String.valueOf(r.header("Content-Type")).startsWith("application/json"), r.toString());
        JsonNode body = TestImages.parseJson(r.body());
        assertEquals("UNKNOWN", body.path("errors").path(0).path("code").asText(), r.toString());
        String text = r.bodyString();
        assertFalse(text.contains("\tat ") || text.contains("at io.berth") || text.contains("software.amazon"),
                "no stack trace or SDK internals on the wire: " + text);
        assertTrue(berth.isRunning(), berth.logTail());
    }

    /**
     * The log has one ERROR entry per failed request ({@code failedRequests}, or at least one when
     * that is not known), and a line naming the S3 operation that failed.
     */
    private static void assertOperationLogged(String log, String operation, int failedRequests) {
        List<String> errors = log.lines().filter(l -> l.contains("level=error")).toList();
        assertFalse(errors.isEmpty(), "an ERROR line:\n" + log);
        if (failedRequests > 0) {
            assertEquals(failedRequests, errors.size(), "one ERROR entry per failed request:\n" + log);
        }
        List<String> naming = log.lines().filter(l -> l.contains("s3 " + operation)).toList();
        assertFalse(naming.isEmpty(), "a line naming s3 " + operation + ":\n" + log);
        assertTrue(errors.stream().anyMatch(l -> l.contains("s3 " + operation)), "the ERROR line itself names s3 "
                + operation + ":\n" + log);
        assertTrue(log.lines().noneMatch(l -> l.startsWith("\tat ")), "no stack trace at the default level:\n" + log);
        System.out.println("logged for a failed " + operation + ": " + errors.get(0) + "\n  " + naming.get(0)
                + "\n  (" + log.lines().count() + " log lines for " + errors.size() + " errors)");
    }

    private long logLength() {
        try {
            return Files.size(berth.logFile());
        } catch (IOException e) {
            return 0;
        }
    }

    private String logSince(long offset) {
        try {
            byte[] all = Files.readAllBytes(berth.logFile());
            return new String(Arrays.copyOfRange(all, (int) Math.min(offset, all.length), all.length),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + berth.logFile() + ": " + e + ")";
        }
    }
}
