package io.berth.server.metrics;

import static io.berth.server.ops.Registries.bytes;
import static io.berth.server.ops.Registries.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.berth.server.it.Http;
import io.berth.server.ops.OpsServer;
import io.berth.server.ops.Registries;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** http.debug.prometheus: what a Prometheus scrape of the debug server sees after real traffic. */
class MetricsTest {
    static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)$");
    static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    @TempDir
    Path tmp;

    /** Every sample as "name{labels sorted}" to its value. */
    static Map<String, Double> scrape(OpsServer srv) {
        Http.Response r = Http.get(srv.debugUrl() + "/metrics");
        assertEquals(200, r.status());
        assertTrue(r.header("Content-Type").startsWith("text/plain; version=0.0.4"), r.header("Content-Type"));
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : r.bodyString().split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "not a sample line: " + line);
            java.util.TreeMap<String, String> labels = new java.util.TreeMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            out.put(m.group(1) + labels, Double.parseDouble(m.group(3)));
        }
        return out;
    }

    static double value(Map<String, Double> samples, String key) {
        Double v = samples.get(key);
        if (v == null) {
            return fail("no sample " + key + " among\n" + String.join("\n", samples.keySet()));
        }
        return v;
    }

    /** Request metrics are recorded when the response completes, a moment after the client has it. */
    static Map<String, Double> awaitSample(OpsServer srv, String key, double atLeast) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Map<String, Double> s;
        do {
            s = scrape(srv);
            if (s.getOrDefault(key, -1.0) >= atLeast) {
                return s;
            }
        } while (System.nanoTime() < deadline);
        value(s, key);
        return fail(key + " = " + s.get(key) + ", expected at least " + atLeast);
    }

    @Test
    void requestsStorageAndUploadsAsPrometheusSees() throws Exception {
        try (OpsServer srv = OpsServer.start(tmp.resolve("r"),
                "  debug:\n    addr: 127.0.0.1:0\n    prometheus:\n      enabled: true\n")) {
            String base = srv.url();
            // an upload left open, then completed
            Http.Response start = Http.post(base + "/v2/m/app/blobs/uploads/", null);
            String loc = Http.resolve(base, start.header("Location"));
            byte[] chunk = bytes(40_000, 7);
            Http.Response patch = Http.patch(loc, chunk, "Content-Type", "application/octet-stream");
            assertEquals(202, patch.status());
            Map<String, Double> s = awaitSample(srv,
                    "registry_http_request_duration_seconds_count{method=PATCH, route=blob_upload_chunk, status=202}", 1);
            assertEquals(1.0, value(s, "registry_uploads_open{}"));
            assertEquals(40_000.0, value(s, "registry_http_received_bytes_total{method=PATCH, route=blob_upload_chunk}"));
            String put = Http.resolve(base, patch.header("Location"));
            assertEquals(201, Http.put(put + "?digest=" + sha256(chunk), null).status());

            Registries.Image img = Registries.pushImage(base, "m/app", "v1", 8);
            for (int i = 0; i < 3; i++) {
                assertEquals(200, Http.get(base + "/v2/m/app/manifests/v1").status());
            }
            assertEquals(200, Http.get(base + "/v2/m/app/blobs/" + img.layer()).status());
            assertEquals(404, Http.get(base + "/v2/m/app/manifests/missing").status());
            assertEquals(404, Http.get(base + "/nothing/here").status());

            s = awaitSample(srv, "registry_http_request_duration_seconds_count{method=GET, route=unknown, status=404}", 1);
            assertEquals(3.0, value(s, "registry_http_request_duration_seconds_count{method=GET, route=manifest, status=200}"));
            assertEquals(1.0, value(s, "registry_http_request_duration_seconds_count{method=PUT, route=manifest, status=201}"));
            assertEquals(1.0, value(s, "registry_http_request_duration_seconds_count{method=GET, route=manifest, status=404}"));
            assertEquals(0.0, value(s, "registry_uploads_open{}"), "the completed uploads are closed");
            // a latency histogram with fixed buckets, cumulative up to +Inf
            assertEquals(3.0, value(s, "registry_http_request_duration_seconds_bucket{le=+Inf, method=GET, route=manifest, status=200}"));
            assertTrue(value(s, "registry_http_request_duration_seconds_bucket{le=0.005, method=GET, route=manifest, status=200}") <= 3);
            assertTrue(value(s, "registry_http_request_duration_seconds_sum{method=GET, route=manifest, status=200}") > 0);
            assertTrue(value(s, "registry_http_sent_bytes_total{method=GET, route=blob}") >= img.layerSize());
            // three manifests and the 404's error body
            assertTrue(value(s, "registry_http_sent_bytes_total{method=GET, route=manifest}") > 3.0 * img.manifest().length);
            // the storage driver by operation
            assertTrue(value(s, "registry_storage_action_seconds_count{action=move, driver=filesystem, outcome=success}") >= 3,
                    "three upload commits");
            assertTrue(value(s, "registry_storage_action_seconds_count{action=putcontent, driver=filesystem, outcome=success}") > 0);
            assertTrue(value(s, "registry_storage_action_seconds_count{action=commit, driver=filesystem, outcome=success}") >= 3);
            assertTrue(s.containsKey("registry_storage_action_seconds_bucket{action=move, driver=filesystem, le=0.01, outcome=success}"));
            assertTrue(s.keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes{")), "JVM meters too");
            // labels are templates: no repository name, digest or path in any of them
            for (String k : s.keySet()) {
                assertFalse(k.contains("m/app") || k.contains("sha256") || k.contains("/v2") || k.contains("nothing"), k);
            }
        }
    }
}
