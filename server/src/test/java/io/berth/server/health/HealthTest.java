package io.berth.server.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.berth.server.it.Http;
import io.berth.server.it.Ports;
import io.berth.server.ops.OpsServer;
import io.berth.server.ops.Registries;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * health.* checks: /debug/health on http.debug.addr answers 200 {} or 503 with the failing checks
 * by name, and while a check fails the API answers every request 503 UNAVAILABLE, as distribution's
 * health.Handler does.
 */
class HealthTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static final String DEBUG = "  debug:\n    addr: 127.0.0.1:0\n";

    static JsonNode json(Http.Response r) throws IOException {
        return JSON.readTree(r.body());
    }

    /** Polls until the debug health answer matches. */
    static Http.Response awaitHealth(OpsServer srv, Predicate<Http.Response> ok) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Http.Response r;
        do {
            r = Http.get(srv.debugUrl() + "/debug/health");
            if (ok.test(r)) {
                return r;
            }
            sleep(50);
        } while (System.nanoTime() < deadline);
        return fail("health never matched; last answer: " + r);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void assertUnavailable(Http.Response r) throws IOException {
        assertEquals(503, r.status(), r.toString());
        JsonNode err = json(r).path("errors").path(0);
        assertEquals("UNAVAILABLE", err.path("code").asText());
        assertEquals("health check failed: please see /debug/health", err.path("detail").asText());
    }

    @Test
    void aMaintenanceFileTakesTheRegistryOutOfRotation() throws Exception {
        Path flag = tmp.resolve("out-of-rotation");
        try (OpsServer srv = OpsServer.start(tmp.resolve("r"), DEBUG
                + "health:\n  file:\n    - file: " + flag + "\n      interval: 100ms\n")) {
            Registries.pushImage(srv.url(), "h/app", "v1", 1);
            Http.Response ok = awaitHealth(srv, r -> r.status() == 200);
            assertEquals("{}", ok.bodyString());
            assertTrue(ok.header("Content-Type").startsWith("application/json"));

            Files.writeString(flag, "maintenance");
            Http.Response down = awaitHealth(srv, r -> r.status() == 503);
            assertEquals("file exists", json(down).path(flag.toString()).asText(), down.bodyString());
            assertUnavailable(Http.get(srv.url() + "/v2/"));
            assertUnavailable(Http.get(srv.url() + "/v2/h/app/manifests/v1"));
            assertUnavailable(Http.put(srv.url() + "/v2/h/app/manifests/v2", new byte[10]));

            Files.delete(flag);
            awaitHealth(srv, r -> r.status() == 200);
            assertEquals(200, Http.get(srv.url() + "/v2/h/app/manifests/v1").status());
        }
    }

    /**
     * The storage driver check on a real fault: the directory above the root is replaced by a
     * file, so listing the root fails with "Not a directory" until it is put back.
     */
    @Test
    void aFailingStorageDriverAfterTheThreshold() throws Exception {
        Path parent = tmp.resolve("disk");
        Path root = parent.resolve("root");
        Files.createDirectories(root);
        try (OpsServer srv = OpsServer.start(root, DEBUG
                + "health:\n  storagedriver:\n    enabled: true\n    interval: 100ms\n    threshold: 3\n")) {
            awaitHealth(srv, r -> r.status() == 200);
            Path moved = tmp.resolve("disk-away");
            Files.move(parent, moved);
            Files.writeString(parent, "not a directory");
            Http.Response down = awaitHealth(srv, r -> r.status() == 503);
            assertTrue(json(down).has("storagedriver_filesystem"), down.bodyString());
            assertUnavailable(Http.get(srv.url() + "/v2/_catalog"));
            Files.delete(parent);
            Files.move(moved, parent);
            awaitHealth(srv, r -> r.status() == 200);
            assertEquals(200, Http.get(srv.url() + "/v2/_catalog").status());
        }
    }

    @Test
    void httpAndTcpChecks() throws Exception {
        AtomicInteger status = new AtomicInteger(204);
        HttpServer upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        upstream.createContext("/", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            ex.sendResponseHeaders("Basic x".equals(auth) && ex.getRequestMethod().equals("HEAD") ? status.get() : 400,
                    -1);
            ex.close();
        });
        upstream.start();
        int closedPort = Ports.free();
        try (OpsServer srv = OpsServer.start(tmp.resolve("r"), DEBUG + "health:\n  http:\n"
                + "    - uri: http://127.0.0.1:" + upstream.getAddress().getPort() + "/ping\n"
                + "      headers:\n        Authorization: [Basic x]\n      statuscode: 204\n      timeout: 1s\n"
                + "      interval: 100ms\n")) {
            awaitHealth(srv, r -> r.status() == 200);
            status.set(500);
            Http.Response down = awaitHealth(srv, r -> r.status() == 503);
            assertEquals("downstream service returned unexpected status: 500",
                    json(down).path("http://127.0.0.1:" + upstream.getAddress().getPort() + "/ping").asText());
            status.set(204);
            awaitHealth(srv, r -> r.status() == 200);
        } finally {
            upstream.stop(0);
        }
        try (OpsServer srv = OpsServer.start(tmp.resolve("r2"), DEBUG + "health:\n  tcp:\n"
                + "    - addr: 127.0.0.1:" + closedPort + "\n      timeout: 500ms\n      interval: 100ms\n")) {
            Http.Response down = awaitHealth(srv, r -> r.status() == 503);
            assertEquals("connection to 127.0.0.1:" + closedPort + " failed",
                    json(down).path("127.0.0.1:" + closedPort).asText());
        }
    }

    @Test
    void theDebugServerAnswersOnlyItsPaths() throws Exception {
        try (OpsServer srv = OpsServer.start(tmp.resolve("r"), DEBUG)) {
            assertEquals("{}", Http.get(srv.debugUrl() + "/debug/health").bodyString());
            assertEquals(404, Http.get(srv.debugUrl() + "/metrics").status(), "prometheus is off");
            assertEquals(404, Http.get(srv.debugUrl() + "/v2/").status());
            assertEquals(404, Http.get(srv.url() + "/debug/health").status(), "not on the API's port");
            assertEquals(200, Http.get(srv.url() + "/v2/").status(), "no checks, no gate");
        }
    }

    /** A threshold of n: the check is failing only from the n-th failure in a row on. */
    @Test
    void thresholdCountsFailuresInARow() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (HealthChecks checks = new HealthChecks()) {
            // fails on calls 2, 4, 5, 6, ...: one isolated failure, then a run
            checks.register("flaky", Duration.ofMillis(20), 3, () -> {
                int n = calls.incrementAndGet();
                if (n == 2 || n >= 4) {
                    throw new IOException("down at " + n);
                }
            });
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            boolean failingBeforeRun = false;
            while (checks.failing().isEmpty() && System.nanoTime() < deadline) {
                if (calls.get() < 6 && !checks.failing().isEmpty()) {
                    failingBeforeRun = true;
                }
                sleep(5);
            }
            assertTrue(!failingBeforeRun);
            assertTrue(calls.get() >= 6, "failing only after 3 failures in a row, at call " + calls.get());
            assertTrue(checks.failing().get("flaky").startsWith("down at "));
        }
    }
}
