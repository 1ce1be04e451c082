package io.berth.server.it.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.server.it.Ports;
import io.berth.server.it.Processes;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth serve} with an object store it cannot use stops at start-up, with exit code 2 and
 * one line naming the config key to fix, instead of serving and failing the first push with 500s.
 */
class CloudStartupErrorTest {
    @TempDir
    Path tmp;

    @Test
    void s3WrongSecretKeyNamesTheAccessKey() {
        // s3proxy checks signatures (S3Mock accepts any credentials, so it cannot show this)
        CloudBackend s3proxy = CloudBackend.of(CloudBackend.Kind.S3PROXY);
        Map<String, Object> p = s3proxy.parameters(s3proxy.newStore());
        p.put("secretkey", "not-the-secret");
        assertStartupError(run(s3proxy, p), "storage.s3.accesskey", "access denied");
        p.put("secretkey", ((CloudBackend.S3) s3proxy).parameters("x").get("secretkey"));
        p.put("accesskey", "unknown-access-key");
        assertStartupError(run(s3proxy, p), "storage.s3.accesskey", "access denied");
    }

    @Test
    void s3MissingBucketNamesTheBucket() {
        for (CloudBackend.Kind kind : List.of(CloudBackend.Kind.S3MOCK, CloudBackend.Kind.S3PROXY)) {
            CloudBackend s3 = CloudBackend.of(kind);
            Map<String, Object> p = s3.parameters("berth-no-such-bucket");
            assertStartupError(run(s3, p), "storage.s3.bucket", "berth-no-such-bucket");
        }
    }

    @Test
    void s3UnreachableEndpointNamesTheEndpoint() {
        CloudBackend s3 = CloudBackend.of(CloudBackend.Kind.S3MOCK);
        Map<String, Object> p = s3.parameters(s3.newStore());
        p.put("regionendpoint", "http://127.0.0.1:" + Ports.free()); // nothing listens there
        assertStartupError(run(s3, p), "storage.s3.regionendpoint", null);
    }

    @Test
    void azureWrongAccountKeyNamesTheAccountKey() {
        CloudBackend azurite = CloudBackend.of(CloudBackend.Kind.AZURITE);
        Map<String, Object> p = azurite.parameters(azurite.newStore());
        // a well-formed key, but not the account's
        p.put("accountkey", "QmVydGhXcm9uZ0tleUJlcnRoV3JvbmdLZXlCZXJ0aFdyb25nS2V5QmVydGhXcm9uZ0tleQ==");
        assertStartupError(run(azurite, p), "storage.azure.accountkey", "authentication failed");
    }

    @Test
    void azureMissingContainerNamesTheContainer() {
        CloudBackend azurite = CloudBackend.of(CloudBackend.Kind.AZURITE);
        Map<String, Object> p = azurite.parameters("berth-no-such-container");
        assertStartupError(run(azurite, p), "storage.azure.container", "berth-no-such-container");
    }

    private Processes.Result run(CloudBackend backend, Map<String, Object> params) {
        return CloudBerth.runToExit(backend.driver(), params, tmp);
    }

    private static void assertStartupError(Processes.Result r, String key, String detail) {
        assertEquals(2, r.exitCode(), "exit code\n" + r.describe());
        String expected = "berth: configuration error: " + key;
        List<String> lines = r.stderr().lines().filter(l -> l.startsWith("berth: ")).toList();
        assertEquals(1, lines.size(), "one line from berth on stderr\n" + r.describe());
        assertTrue(lines.get(0).startsWith(expected), "starts with \"" + expected + "\"\n" + r.describe());
        if (detail != null) {
            assertTrue(lines.get(0).contains(detail), "mentions \"" + detail + "\"\n" + r.describe());
        }
        assertFalse(r.stderr().contains("\tat ") || r.stdout().contains("\tat "), "no stack trace\n" + r.describe());
        assertFalse(r.stdout().contains("listening on"), "never served\n" + r.describe());
    }
}
