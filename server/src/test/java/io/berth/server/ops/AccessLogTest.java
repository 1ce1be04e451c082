package io.berth.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.berth.core.registry.Registry;
import io.berth.server.config.NotificationsConfig;
import io.berth.server.config.RegistryConfig;
import io.berth.server.http.ApiListener;
import io.berth.server.http.ApiPolicy;
import io.berth.server.http.RegistryServer;
import io.berth.server.http.RequestInfo;
import io.berth.server.http.ServerHooks;
import io.berth.server.it.Http;
import io.berth.server.logging.LogSetup;
import io.berth.server.notify.Notifier;
import io.berth.storage.inmemory.InMemoryDriver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * The access line's fields, and the hook authentication uses: whatever handler sets the
 * {@code berth.user} request attribute names the user in the access line and in events' actor.
 */
class AccessLogTest {

    /** Stands in for the authentication handler that will sit between OpsHandler and the API. */
    static final class AsUser extends Handler.Wrapper {
        AsUser(Handler h) {
            super(h);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            request.setAttribute(RequestInfo.USER_ATTRIBUTE, "alice");
            return super.handle(request, response, callback);
        }
    }

    static Map<String, Object> fields(ILoggingEvent e) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (KeyValuePair kv : e.getKeyValuePairs()) {
            out.put(kv.key, kv.value);
        }
        return out;
    }

    /** A client's malformed body or a client that hung up is not a server error in the log or the metrics. */
    @Test
    void clientFaultsAreNotCountedAsServerErrors() throws Exception {
        assertEquals(400, OpsHandler.failureStatus(new BadMessageException(400, "Early EOF")));
        assertEquals(499, OpsHandler.failureStatus(new EofException("reset by peer")));
        assertEquals(499, OpsHandler.failureStatus(new IOException("write failed", new EofException("closed"))));
        assertEquals(500, OpsHandler.failureStatus(new IOException("disk full")));

        Logger access = (Logger) LoggerFactory.getLogger(LogSetup.ACCESS_LOGGER);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        access.addAppender(lines);
        RegistryServer server = new RegistryServer(new Registry(new InMemoryDriver()), ApiPolicy.defaults(),
                "127.0.0.1", 0, new ServerHooks(ApiListener.NONE, api -> new OpsHandler(api, null, null, true), Duration.ofSeconds(1)));
        server.start();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            // a chunked body whose chunk size is not hex, then the end of the stream
            s.getOutputStream().write(("POST /v2/bad/chunk/blobs/uploads/?digest=sha256:"
                    + "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad HTTP/1.1\r\nHost: x\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nabc\r\n0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (lines.list.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(1, lines.list.size(), () -> lines.list.toString());
            assertEquals(400, fields(lines.list.get(0)).get("http.response.status"));
        } finally {
            server.close();
            access.detachAppender(lines);
        }
    }

    @Test
    void oneLinePerRequestWithUserRepositoryRouteStatusBytesAndDuration() throws Exception {
        Logger access = (Logger) LoggerFactory.getLogger(LogSetup.ACCESS_LOGGER);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        access.addAppender(lines);
        try (EventReceiver rx = EventReceiver.start()) {
            NotificationsConfig nc = RegistryConfig.parse("version: 0.1\nstorage:\n  inmemory: {}\n"
                    + "notifications:\n  endpoints:\n    - name: rx\n      url: " + rx.url() + "\n", Map.of())
                    .notifications();
            Notifier notifier = Notifier.fromConfig(nc, 5000, new SimpleMeterRegistry());
            ServerHooks hooks = new ServerHooks(notifier, api -> new OpsHandler(new AsUser(api), null, null, true),
                    Duration.ofSeconds(1));
            RegistryServer server = new RegistryServer(new Registry(new InMemoryDriver()), ApiPolicy.defaults(),
                    "127.0.0.1", 0, hooks);
            server.start();
            try {
                String base = "http://127.0.0.1:" + server.port();
                Registries.Image img = Registries.pushImage(base, "users/app", "v1", 5);
                Http.Response r = Http.get(base + "/v2/users/app/manifests/v1", "User-Agent", "tester");
                String id = r.header("X-Request-Id");
                JsonNode pull = rx.awaitOne("pull", "users/app", t -> true, Duration.ofSeconds(10));
                assertEquals("alice", pull.path("actor").path("name").asText());
                assertEquals(id, pull.path("request").path("id").asText());

                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                Map<String, Object> f = null;
                while (f == null && System.nanoTime() < deadline) {
                    for (ILoggingEvent e : lines.list.toArray(ILoggingEvent[]::new)) {
                        if (id.equals(fields(e).get("http.request.id"))) {
                            f = fields(e);
                        }
                    }
                    Thread.sleep(20);
                }
                assertTrue(f != null, "no access line for " + id);
                assertEquals("alice", f.get("auth.user.name"));
                assertEquals("users/app", f.get("vars.name"));
                assertEquals("manifest", f.get("http.request.route"));
                assertEquals("GET", f.get("http.request.method"));
                assertEquals("/v2/users/app/manifests/v1", f.get("http.request.uri"));
                assertEquals("tester", f.get("http.request.useragent"));
                assertEquals(200, f.get("http.response.status"));
                assertEquals((long) img.manifest().length, f.get("http.response.written"));
                assertTrue(((Double) f.get("http.response.duration_ms")) >= 0);
                assertTrue(lines.list.stream().allMatch(e -> e.getFormattedMessage().equals("response completed")));
                // one line per request: 2 blob uploads (one chunked: POST, PATCH, PUT), the manifest PUT, the GET
                Thread.sleep(200);
                assertEquals(6, lines.list.size());
            } finally {
                server.close();
                notifier.close();
            }
        } finally {
            access.detachAppender(lines);
        }
    }
}
