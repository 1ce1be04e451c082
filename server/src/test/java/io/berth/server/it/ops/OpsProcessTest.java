package io.berth.server.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.server.it.BerthProcess;
import io.berth.server.it.Http;
import io.berth.server.it.Ports;
import io.berth.server.it.Skopeo;
import io.berth.server.it.StorageChecks;
import io.berth.server.it.TestImages;
import io.berth.server.ops.EventReceiver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth serve} with distribution's operations keys in its config.yml, driven by skopeo and
 * plain HTTP: webhooks, /debug/health and the API's 503, Prometheus metrics, JSON log lines with
 * access lines, and upload purging.
 */
class OpsProcessTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    BerthProcess start(String yaml, int port) {
        Path cfg = tmp.resolve("config-" + port + ".yml");
        try {
            Files.writeString(cfg, yaml);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        BerthProcess p = BerthProcess.start(cfg, null, "127.0.0.1:" + port, tmp.resolve("berth-" + port + ".log"));
        if (p == null) {
            fail("berth serve did not start with\n" + yaml);
        }
        return p;
    }

    static void await(String what, BooleanSupplier ok) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void webhooksHealthMetricsAndJsonLogsFromConfigYml() throws Exception {
        Path root = tmp.resolve("store");
        Path flag = tmp.resolve("maintenance.flag");
        int port = Ports.free();
        int debugPort = Ports.free();
        TestImages.Image img = TestImages.multiLayer(tmp.resolve("oci"), "v1", 11, 2, 200_000);
        try (EventReceiver rx = EventReceiver.start()) {
            String yaml = "version: 0.1\n"
                    + "log:\n  level: info\n  formatter: json\n  fields:\n    service: registry\n"
                    + "storage:\n  filesystem:\n    rootdirectory: " + root + "\n  delete:\n    enabled: true\n"
                    + "http:\n  addr: 127.0.0.1:" + port + "\n  draintimeout: 2s\n"
                    + "  debug:\n    addr: 127.0.0.1:" + debugPort + "\n    prometheus:\n      enabled: true\n"
                    + "notifications:\n  endpoints:\n    - name: test\n      url: " + rx.url() + "\n"
                    + "      timeout: 2s\n      ignoredmediatypes: [application/octet-stream]\n"
                    + "health:\n  file:\n    - file: " + flag + "\n      interval: 200ms\n";
            BerthProcess p = start(yaml, port);
            try {
                Skopeo.copy(img.ociRef(), Skopeo.docker(p.hostPort(), "ops/app:v1"));
                JsonNode push = rx.awaitOne("push", "ops/app", t -> t.path("tag").asText().equals("v1"),
                        Duration.ofSeconds(20));
                assertEquals(img.manifestDigest(), push.path("target").path("digest").asText());
                assertTrue(push.path("request").path("useragent").asText().contains("skopeo")
                        || !push.path("request").path("useragent").asText().isEmpty(), push.toString());
                assertTrue(push.path("source").path("addr").asText().endsWith(":" + port), push.toString());
                assertTrue(rx.events().stream().noneMatch(e -> e.path("target").path("mediaType").asText()
                        .equals("application/octet-stream")), "blob events ignored by media type");

                String debug = "http://127.0.0.1:" + debugPort;
                assertEquals(200, Http.get(debug + "/debug/health").status());
                String metrics = Http.get(debug + "/metrics").bodyString();
                assertTrue(metrics.contains("registry_http_request_duration_seconds_count{method=\"PUT\",route=\"manifest\",status=\"201\"}"),
                        metrics);
                assertTrue(metrics.contains("registry_storage_action_seconds_count{action=\"move\",driver=\"filesystem\""));

                Http.Response tagged = Http.get(p.url() + "/v2/ops/app/manifests/v1", "X-Request-Id", "lb-4711",
                        "Accept", TestImages.OCI_MANIFEST);
                assertEquals(200, tagged.status());
                assertEquals("lb-4711", tagged.header("X-Request-Id"), "a proxy's request id is kept");

                Files.writeString(flag, "");
                await("503 on /v2/", () -> Http.get(p.url() + "/v2/").status() == 503);
                assertEquals("file exists", JSON.readTree(Http.get(debug + "/debug/health").body())
                        .path(flag.toString()).asText());
                Files.delete(flag);
                await("200 on /v2/", () -> Http.get(p.url() + "/v2/").status() == 200);
            } finally {
                p.close();
            }

            // every line of the log is one JSON object; the access line of the GET has its fields
            List<JsonNode> lines = new ArrayList<>();
            for (String line : Files.readAllLines(p.logFile())) {
                try {
                    lines.add(JSON.readTree(line));
                } catch (IOException e) {
                    fail("not a JSON line: " + line);
                }
            }
            JsonNode access = lines.stream().filter(l -> l.path("http.request.id").asText().equals("lb-4711"))
                    .findFirst().orElseThrow(() -> new AssertionError("no access line for lb-4711"));
            assertEquals("response completed", access.path("msg").asText());
            assertEquals("info", access.path("level").asText());
            assertEquals("registry", access.path("service").asText(), "log.fields on every line");
            assertEquals("GET", access.path("http.request.method").asText());
            assertEquals("manifest", access.path("http.request.route").asText());
            assertEquals("ops/app", access.path("vars.name").asText());
            assertEquals(200, access.path("http.response.status").asInt());
            assertEquals(img.manifestBytes().length, access.path("http.response.written").asLong());
            assertTrue(access.path("http.response.duration_ms").isNumber());
            assertTrue(access.path("time").asText().endsWith("Z"));
            assertTrue(lines.stream().allMatch(l -> l.path("service").asText().equals("registry")));
            assertTrue(lines.stream().anyMatch(l -> l.path("msg").asText().equals("stopped")), "a clean stop");
        }
    }

    @Test
    void aDebugAddressInUseStopsStartUp() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path cfg = BerthProcess.writeConfig(tmp.resolve("busy.yml"), tmp.resolve("store"), Ports.free(),
                    "  debug:\n    addr: 127.0.0.1:" + taken.getLocalPort() + "\n");
            io.berth.server.it.Processes.Result r = BerthProcess.run(null, "serve", cfg.toString());
            assertEquals(2, r.exitCode(), r.describe());
            assertTrue(r.output().contains("cannot start the debug server on"), r.describe());
        }
    }

    @Test
    void staleUploadsArePurgedAndAccessLogsCanBeTurnedOff() throws Exception {
        Path root = tmp.resolve("store");
        int port = Ports.free();
        String yaml = "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\n"
                + "storage:\n  filesystem:\n    rootdirectory: " + root + "\n"
                + "  maintenance:\n    uploadpurging:\n      enabled: true\n      age: 2s\n      interval: 500ms\n"
                + "      dryrun: false\n"
                + "http:\n  addr: 127.0.0.1:" + port + "\n";
        BerthProcess p = start(yaml, port);
        try {
            Http.Response started = Http.post(p.url() + "/v2/purge/app/blobs/uploads/", null);
            assertEquals(202, started.status());
            String loc = Http.resolve(p.url(), started.header("Location"));
            assertEquals(202, Http.patch(loc, new byte[1000]).status());
            Path uploads = StorageChecks.v2(root).resolve("repositories/purge/app/_uploads");
            assertEquals(1, Files.list(uploads).count());
            await("the stale upload purged", () -> {
                try (var s = Files.list(uploads)) {
                    return s.findAny().isEmpty();
                } catch (IOException e) {
                    return false;
                }
            });
            Http.Response gone = Http.get(loc);
            assertEquals(404, gone.status());
            assertTrue(gone.bodyString().contains("BLOB_UPLOAD_UNKNOWN"), gone.bodyString());
        } finally {
            p.close();
        }
        String log = BerthProcess.read(p.logFile());
        assertTrue(log.contains("msg=\"upload purge finished: 1 upload(s) seen, 1 removed, 0 error(s)\""), log);
        assertFalse(log.contains("response completed"), "log.accesslog.disabled");
    }
}
