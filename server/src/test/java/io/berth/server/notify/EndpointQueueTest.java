package io.berth.server.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.digest.Digest;
import io.berth.server.config.NotificationsConfig;
import io.berth.server.http.RequestInfo;
import io.berth.server.ops.EventReceiver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The bounded queue: a full queue drops its oldest events, counted, and offering never waits. */
class EndpointQueueTest {

    static Event event(int i) {
        return new Event("id-" + i, Instant.now(), "push",
                new Event.Target("application/octet-stream", 10, Digest.parse("sha256:" + "a".repeat(64)), "r/" + i,
                        null, null, null, List.of()),
                new RequestInfo("rq", "127.0.0.1:1", "h", "PUT", "ua", null, ""), new Event.Source("h:5000", "i"));
    }

    @Test
    void aFullQueueDropsTheOldestAndCountsThem() throws Exception {
        try (EventReceiver rx = EventReceiver.start()) {
            rx.delay(Duration.ofSeconds(2));
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            NotificationsConfig.Endpoint cfg = new NotificationsConfig.Endpoint("q", false, URI.create(rx.url()),
                    Map.of(), Duration.ofSeconds(10), 10, Duration.ofMillis(100), Set.of(), Set.of());
            Endpoint ep = new Endpoint(cfg, 5, meters);
            ep.offer(event(0));
            Thread.sleep(300); // event 0 is in flight, held by the receiver
            long t0 = System.nanoTime();
            for (int i = 1; i <= 20; i++) {
                ep.offer(event(i));
            }
            assertTrue(System.nanoTime() - t0 < Duration.ofMillis(200).toNanos(), "offer never waits");
            assertEquals(6, ep.pending(), "5 queued and 1 in flight");
            assertEquals(15.0, meters.get("registry.notifications.events").tag("outcome", "dropped").counter().count());
            rx.delay(Duration.ZERO);
            List<String> ids = rx.await(e -> true, 6, Duration.ofSeconds(20)).stream()
                    .map(e -> e.path("id").asText()).toList();
            assertEquals(List.of("id-0", "id-16", "id-17", "id-18", "id-19", "id-20"), ids, "the newest are kept");
            ep.close(System.nanoTime() + Duration.ofSeconds(5).toNanos());
            assertEquals(6.0, meters.get("registry.notifications.events").tag("outcome", "sent").counter().count());
        }
    }

    @Test
    void retriesUntilAcceptedAfterErrors() throws Exception {
        try (EventReceiver rx = EventReceiver.start()) {
            rx.answer(503);
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            NotificationsConfig.Endpoint cfg = new NotificationsConfig.Endpoint("r", false, URI.create(rx.url()),
                    Map.of(), Duration.ofSeconds(1), 2, Duration.ofMillis(200), Set.of(), Set.of());
            Endpoint ep = new Endpoint(cfg, 100, meters);
            ep.offer(event(1));
            Thread.sleep(1000);
            int attempts = rx.posts();
            // threshold 2 then one attempt per 200ms backoff: a few, not a busy loop
            assertTrue(attempts >= 3 && attempts <= 10, attempts + " attempts in 1s");
            rx.answer(200);
            assertEquals("id-1", rx.await(e -> true, 1, Duration.ofSeconds(10)).get(0).path("id").asText());
            ep.close(System.nanoTime());
            assertTrue(meters.get("registry.notifications.events").tag("outcome", "failed").counter().count() >= 3);
        }
    }
}
