package io.berth.server.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth serve config.yml} as an operator runs it: configuration mistakes end the process
 * with exit code 2 and one line naming the key (no stack trace), and a valid distribution config,
 * with REGISTRY_* environment overrides laid over it, serves the API.
 */
class ServeCommandTest {
    @TempDir
    Path tmp;

    @Test
    void misspelledKeyIsNamedAndExitsWithTwo() {
        Path config = write("typo.yml", """
                version: 0.1
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabeld: true
                http:
                  addr: 127.0.0.1:0
                """.formatted(tmp.resolve("data")));
        Processes.Result r = BerthProcess.run(null, "serve", config.toString());
        assertConfigError(r, "storage.delete.enabeld");
        assertFalse(Files.exists(tmp.resolve("data")), "nothing was started, nothing was created");
    }

    @Test
    void incompleteAuthSectionNamesTheMissingOption() {
        Path config = write("auth.yml", """
                version: 0.1
                storage:
                  filesystem:
                    rootdirectory: %s
                auth:
                  htpasswd:
                    path: %s
                http:
                  addr: 127.0.0.1:0
                """.formatted(tmp.resolve("data"), tmp.resolve("htpasswd")));
        Processes.Result r = BerthProcess.run(null, "serve", config.toString());
        assertConfigError(r, "auth.htpasswd.realm");
    }

    @Test
    void letsEncryptIsRefusedAsUnsupported() {
        Path config = write("le.yml", """
                version: 0.1
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:0
                  tls:
                    letsencrypt:
                      cachefile: /var/lib/registry/le.cache
                      email: admin@example.com
                """.formatted(tmp.resolve("data")));
        Processes.Result r = BerthProcess.run(null, "serve", config.toString());
        assertConfigError(r, "http.tls.letsencrypt");
        assertTrue(r.stderr().contains("not supported"), r.describe());
    }

    @Test
    void missingConfigFileExitsWithTwo() {
        Path missing = tmp.resolve("no-such-config.yml");
        Processes.Result r = BerthProcess.run(null, "serve", missing.toString());
        // No key to name here: the line names the file instead.
        assertConfigError(r, "");
        assertTrue(r.stderr().contains(missing.toString()) && r.stderr().contains("does not exist"), r.describe());
        assertEquals(1, r.stderr().strip().lines().count(), "one line\n" + r.describe());
    }

    @Test
    void addressInUseExitsWithTwo() throws IOException {
        try (ServerSocket occupied = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path config = BerthProcess.writeConfig(tmp.resolve("busy.yml"), tmp.resolve("data"),
                    occupied.getLocalPort(), null);
            Processes.Result r = BerthProcess.run(null, "serve", config.toString());
            assertEquals(2, r.exitCode(), r.describe());
            assertTrue(r.stderr().contains("berth: cannot listen on 127.0.0.1:" + occupied.getLocalPort()),
                    r.describe());
            assertFalse(r.output().contains("\tat "), "no stack trace\n" + r.describe());
        }
    }

    @Test
    void environmentOverridesAndConfiguredHeadersApply() throws IOException {
        Path fromFile = tmp.resolve("root-from-file");
        Path fromEnv = tmp.resolve("root-from-env");
        // The file's http.addr is a port we keep occupied: Berth can only come up if the
        // REGISTRY_HTTP_ADDR override really replaces it.
        try (ServerSocket occupied = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // Indented lines continue the config's http: section (see BerthProcess.writeConfig).
            Path config = BerthProcess.writeConfig(tmp.resolve("config.yml"), fromFile, occupied.getLocalPort(),
                    "  headers:\n"
                    + "    X-Berth-Test: [first, second]\n"
                    + "    Cache-Control: [no-store]\n");
            BerthProcess berth = null;
            for (int attempt = 0; berth == null && attempt < 3; attempt++) {
                String addr = "127.0.0.1:" + Ports.free();
                berth = BerthProcess.start(config, env -> {
                    env.put("REGISTRY_HTTP_ADDR", addr);
                    env.put("REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", fromEnv.toString());
                }, addr, tmp.resolve("logs/serve-" + attempt + ".log"));
            }
            assertNotNull(berth, "Berth did not come up on the REGISTRY_HTTP_ADDR address\n"
                    + Processes.tail(tmp.resolve("logs/serve-2.log"), 40));
            try (BerthProcess b = berth) {
                Http.Response base = Http.get(b.url() + "/v2/");
                assertEquals(200, base.status(), base.toString());
                assertEquals("registry/2.0", base.header("Docker-Distribution-API-Version"));
                assertEquals(List.of("first", "second"), base.headers().allValues("X-Berth-Test"));
                assertEquals("no-store", base.header("Cache-Control"));
                assertEquals("{}", base.bodyString().trim());

                // Errors carry the configured headers too.
                Http.Response unknown = Http.get(b.url() + "/v2/no/such/manifests/latest");
                assertEquals(404, unknown.status(), unknown.toString());
                assertEquals("registry/2.0", unknown.header("Docker-Distribution-API-Version"));
                assertEquals(List.of("first", "second"), unknown.headers().allValues("X-Berth-Test"));

                // The storage override holds: a blob lands under the env's root, not the file's.
                byte[] blob = "served from the env override".getBytes(StandardCharsets.UTF_8);
                String digest = TestImages.sha256(blob);
                Http.Response put = Http.post(b.url() + "/v2/env/check/blobs/uploads/?digest=" + digest, blob,
                        "Content-Type", "application/octet-stream");
                assertEquals(201, put.status(), put.toString());
                assertArrayEquals(blob, Files.readAllBytes(StorageChecks.blobData(fromEnv, digest)));
                assertFalse(Files.exists(fromFile), "the file's rootdirectory was overridden");
                assertTrue(b.isRunning(), b.logTail());
            }
        }
    }

    /** Exit code 2, one "berth: configuration error: <key>: ..." line, and no Java internals. */
    private static void assertConfigError(Processes.Result r, String key) {
        assertEquals(2, r.exitCode(), r.describe());
        assertTrue(r.stderr().contains("berth: configuration error: " + key), r.describe());
        assertFalse(r.stderr().contains("Exception"), "no exception names on stderr\n" + r.describe());
        assertFalse(r.stderr().contains("\tat "), "no stack trace on stderr\n" + r.describe());
        assertFalse(r.stdout().contains("\tat "), "no stack trace on stdout\n" + r.describe());
    }

    private Path write(String name, String yaml) {
        try {
            return Files.writeString(tmp.resolve(name), yaml);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
