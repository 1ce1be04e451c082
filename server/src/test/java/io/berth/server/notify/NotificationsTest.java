package io.berth.server.notify;

import static io.berth.server.ops.Registries.OCI_MANIFEST;
import static io.berth.server.ops.Registries.bytes;
import static io.berth.server.ops.Registries.pushBlob;
import static io.berth.server.ops.Registries.pushImage;
import static io.berth.server.ops.Registries.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.it.Http;
import io.berth.server.it.Ports;
import io.berth.server.ops.EventReceiver;
import io.berth.server.ops.OpsServer;
import io.berth.server.ops.Registries.Image;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * notifications.endpoints against a receiving HTTP server in the test: the events distribution
 * sends for pushes, pulls, mounts and deletes, in its envelope, with retries while the endpoint is
 * down and without slowing requests while it hangs.
 */
class NotificationsTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    static String endpoint(String name, String url, String extra) {
        return "notifications:\n  events:\n    includereferences: true\n  endpoints:\n"
                + "    - name: " + name + "\n      url: " + url + "\n      timeout: 2s\n      threshold: 3\n"
                + "      backoff: 200ms\n" + (extra == null ? "" : extra);
    }

    @Test
    void pushPullMountAndDeleteEventsInDistributionsEnvelope() throws Exception {
        try (EventReceiver rx = EventReceiver.start();
             OpsServer srv = OpsServer.start(tmp.resolve("r"), endpoint("hook", rx.url(),
                     "      headers:\n        Authorization: [Bearer s3cret]\n"))) {
            String base = srv.url();
            Image img = pushImage(base, "team/app", "v1", 1);

            // blob pushes: the monolithic config POST and the chunked layer PUT
            JsonNode config = rx.awaitOne("push", "team/app", t -> t.path("digest").asText().equals(img.config()), WAIT);
            assertEquals("application/octet-stream", config.path("target").path("mediaType").asText());
            assertEquals(img.configSize(), config.path("target").path("size").asLong());
            assertEquals(img.configSize(), config.path("target").path("length").asLong());
            assertEquals(base + "/v2/team/app/blobs/" + img.config(), config.path("target").path("url").asText());
            assertEquals("POST", config.path("request").path("method").asText());
            JsonNode layer = rx.awaitOne("push", "team/app", t -> t.path("digest").asText().equals(img.layer()), WAIT);
            assertEquals("PUT", layer.path("request").path("method").asText());
            assertEquals(img.layerSize(), layer.path("target").path("size").asLong());

            // the manifest push, by tag, with its references
            JsonNode pushed = rx.awaitOne("push", "team/app", t -> t.path("digest").asText().equals(img.digest()), WAIT);
            JsonNode t = pushed.path("target");
            assertEquals(OCI_MANIFEST, t.path("mediaType").asText());
            assertEquals(img.manifest().length, t.path("size").asLong());
            assertEquals("v1", t.path("tag").asText());
            assertEquals(base + "/v2/team/app/manifests/" + img.digest(), t.path("url").asText());
            assertEquals(List.of(img.config(), img.layer()),
                    List.of(t.path("references").path(0).path("digest").asText(),
                            t.path("references").path(1).path("digest").asText()));
            assertFalse(pushed.path("source").path("addr").asText().isEmpty());
            assertFalse(pushed.path("source").path("instanceID").asText().isEmpty());
            assertTrue(pushed.path("actor").isObject() && pushed.path("actor").isEmpty(), "no user without auth");
            assertTrue(pushed.path("timestamp").asText().matches("^\\d{4}-\\d\\d-\\d\\dT.*Z$"), pushed.toString());

            // pulls: the manifest by tag (GET) and by digest (HEAD), a blob
            Http.Response get = Http.get(base + "/v2/team/app/manifests/v1", "User-Agent", "puller/1.0");
            assertEquals(200, get.status());
            JsonNode pull = rx.awaitOne("pull", "team/app", x -> x.path("tag").asText().equals("v1"), WAIT);
            assertEquals(img.digest(), pull.path("target").path("digest").asText());
            assertEquals("GET", pull.path("request").path("method").asText());
            assertEquals("puller/1.0", pull.path("request").path("useragent").asText());
            assertEquals(get.header("X-Request-Id"), pull.path("request").path("id").asText());
            assertTrue(pull.path("request").path("addr").asText().startsWith("127.0.0.1:"), pull.toString());
            assertEquals("127.0.0.1:" + srv.server.port(), pull.path("request").path("host").asText());
            assertEquals(2, pull.path("target").path("references").size(), "includereferences on pulls too");
            assertEquals(200, Http.head(base + "/v2/team/app/manifests/" + img.digest()).status());
            JsonNode head = rx.await(e -> e.path("action").asText().equals("pull")
                    && e.path("request").path("method").asText().equals("HEAD"), 1, WAIT).get(0);
            assertFalse(head.path("target").has("tag"));
            assertEquals(2, head.path("target").path("references").size());
            assertEquals(200, Http.get(base + "/v2/team/app/blobs/" + img.layer()).status());
            rx.awaitOne("pull", "team/app", x -> x.path("digest").asText().equals(img.layer())
                    && x.path("mediaType").asText().equals("application/octet-stream"), WAIT);

            // a cross-repository mount
            Http.Response mount = Http.post(base + "/v2/other/app/blobs/uploads/?mount=" + img.layer()
                    + "&from=team/app", null);
            assertEquals(201, mount.status(), mount.toString());
            JsonNode mounted = rx.awaitOne("mount", "other/app", x -> x.path("digest").asText().equals(img.layer()), WAIT);
            assertEquals("team/app", mounted.path("target").path("fromRepository").asText());
            assertEquals(img.layerSize(), mounted.path("target").path("size").asLong());

            // deletes: a tag, a manifest by digest, a blob
            assertEquals(202, Http.delete(base + "/v2/team/app/manifests/v1").status());
            JsonNode tagDel = rx.awaitOne("delete", "team/app", x -> x.path("tag").asText().equals("v1"), WAIT);
            assertFalse(tagDel.path("target").has("digest"));
            assertEquals(202, Http.delete(base + "/v2/team/app/manifests/" + img.digest()).status());
            rx.awaitOne("delete", "team/app", x -> x.path("digest").asText().equals(img.digest()), WAIT);
            assertEquals(202, Http.delete(base + "/v2/other/app/blobs/" + img.layer()).status());
            JsonNode blobDel = rx.awaitOne("delete", "other/app", x -> x.path("digest").asText().equals(img.layer()),
                    WAIT);
            assertFalse(blobDel.path("target").has("mediaType"));

            // failed operations report nothing
            assertEquals(404, Http.get(base + "/v2/team/app/manifests/nope").status());
            assertEquals(404, Http.delete(base + "/v2/team/app/manifests/v1").status());
            Thread.sleep(300);
            assertEquals(0, rx.events().stream().filter(e -> e.path("target").path("tag").asText().equals("nope"))
                    .count());

            for (EventReceiver.Delivery d : rx.deliveries()) {
                assertEquals(EventJson.MEDIA_TYPE, d.contentType());
                assertEquals(List.of("Bearer s3cret"), d.headers().get("Authorization"));
            }
            Set<String> ids = new HashSet<>();
            rx.events().forEach(e -> assertTrue(ids.add(e.path("id").asText()), "event ids are unique"));
            assertEquals(10, rx.events().size(), "3 pushes, 3 pulls, 1 mount, 3 deletes: " + rx.events());
        }
    }

    @Test
    void ignoredActionsAndMediaTypesAndDisabledEndpoints() throws Exception {
        try (EventReceiver noPulls = EventReceiver.start(); EventReceiver noBlobs = EventReceiver.start();
             EventReceiver off = EventReceiver.start()) {
            String yaml = endpoint("no-pulls", noPulls.url(), "      ignore:\n        actions: [pull]\n")
                    + "    - name: no-blobs\n      url: " + noBlobs.url() + "\n"
                    + "      ignoredmediatypes: [application/octet-stream]\n"
                    + "    - name: off\n      url: " + off.url() + "\n      disabled: true\n";
            try (OpsServer srv = OpsServer.start(tmp.resolve("r"), yaml)) {
                Image img = pushImage(srv.url(), "a/b", "v1", 2);
                assertEquals(200, Http.get(srv.url() + "/v2/a/b/manifests/v1").status());
                assertEquals(200, Http.get(srv.url() + "/v2/a/b/blobs/" + img.layer()).status());
                noPulls.awaitOne("push", "a/b", t -> t.path("digest").asText().equals(img.digest()), WAIT);
                noBlobs.awaitOne("pull", "a/b", t -> t.path("digest").asText().equals(img.digest()), WAIT);
                Thread.sleep(500);
                assertTrue(noPulls.events().stream().noneMatch(e -> e.path("action").asText().equals("pull")));
                assertEquals(3, noPulls.events().size(), "2 blob pushes and the manifest push");
                assertTrue(noBlobs.events().stream().noneMatch(e -> e.path("target").path("mediaType").asText()
                        .equals("application/octet-stream")));
                assertEquals(2, noBlobs.events().size(), "the manifest's push and pull");
                assertEquals(0, off.posts());
            }
        }
    }

    /** The endpoint is down while pushes happen; once it comes up every event arrives, in order. */
    @Test
    void eventsQueuedWhileTheEndpointIsDownArriveWhenItComesUp() throws Exception {
        int port = Ports.free();
        try (OpsServer srv = OpsServer.start(tmp.resolve("r"), endpoint("late", "http://127.0.0.1:" + port + "/events",
                null))) {
            List<String> digests = new ArrayList<>();
            long slowest = 0;
            for (int i = 0; i < 20; i++) {
                byte[] b = bytes(100 + i, i);
                long t0 = System.nanoTime();
                pushBlob(srv.url(), "down/repo", b);
                slowest = Math.max(slowest, System.nanoTime() - t0);
                digests.add(sha256(b));
            }
            assertTrue(slowest < Duration.ofSeconds(1).toNanos(), "a push took " + slowest / 1_000_000 + " ms");
            Thread.sleep(3000); // well past threshold 3 and several backoffs
            try (EventReceiver rx = EventReceiver.start(port)) {
                List<JsonNode> got = rx.await(e -> e.path("action").asText().equals("push"), 20, WAIT);
                assertEquals(digests, got.stream().map(e -> e.path("target").path("digest").asText()).toList());
            }
        }
    }

    /** An endpoint that holds every POST for 30s slows no request; the queue takes the events. */
    @Test
    void aHangingEndpointDoesNotSlowRequests() throws Exception {
        try (EventReceiver rx = EventReceiver.start()) {
            rx.delay(Duration.ofSeconds(30));
            String yaml = "notifications:\n  endpoints:\n    - name: slow\n      url: " + rx.url()
                    + "\n      timeout: 30s\n";
            try (OpsServer srv = OpsServer.start(tmp.resolve("r"), yaml)) {
                Image img = pushImage(srv.url(), "slow/repo", "v1", 3);
                long t0 = System.nanoTime();
                long slowest = 0;
                for (int i = 0; i < 100; i++) {
                    long s = System.nanoTime();
                    assertEquals(200, Http.get(srv.url() + "/v2/slow/repo/manifests/v1").status());
                    slowest = Math.max(slowest, System.nanoTime() - s);
                }
                long total = System.nanoTime() - t0;
                assertTrue(slowest < Duration.ofSeconds(2).toNanos(), "slowest pull " + slowest / 1_000_000 + " ms");
                assertTrue(total < Duration.ofSeconds(20).toNanos(), "100 pulls took " + total / 1_000_000 + " ms");
                assertTrue(rx.posts() >= 1, "the sender is stuck in the endpoint, not in the requests");
            }
        }
    }
}
