package io.berth.server.ops;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A webhook endpoint in the test: an HTTP server on 127.0.0.1 that records every envelope POSTed
 * to it (headers and events) and answers with a status the test sets, optionally after a delay
 * (an endpoint that hangs).
 */
public final class EventReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One POST as it arrived. */
    public record Delivery(String contentType, Map<String, List<String>> headers, JsonNode envelope) {
    }

    private final HttpServer server;
    private final List<Delivery> deliveries = new ArrayList<>();
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicLong delayMillis = new AtomicLong();
    private final AtomicInteger posts = new AtomicInteger();

    private EventReceiver(HttpServer server) {
        this.server = server;
    }

    public static EventReceiver start() {
        return start(0);
    }

    /** On a given port (0 for any), e.g. one an endpoint was configured with before the receiver came up. */
    public static EventReceiver start(int port) {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            EventReceiver r = new EventReceiver(s);
            s.createContext("/", ex -> {
                r.posts.incrementAndGet();
                try (InputStream in = ex.getRequestBody()) {
                    byte[] body = in.readAllBytes();
                    long delay = r.delayMillis.get();
                    if (delay > 0) {
                        Thread.sleep(delay);
                    }
                    int st = r.status.get();
                    if (st >= 200 && st < 400) {
                        synchronized (r.deliveries) {
                            r.deliveries.add(new Delivery(ex.getRequestHeaders().getFirst("Content-Type"),
                                    Map.copyOf(ex.getRequestHeaders()), JSON.readTree(body)));
                            r.deliveries.notifyAll();
                        }
                    }
                    ex.sendResponseHeaders(st, -1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    ex.close();
                }
            });
            s.setExecutor(Executors.newCachedThreadPool(t -> {
                Thread th = new Thread(t, "event-receiver");
                th.setDaemon(true);
                return th;
            }));
            s.start();
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("starting the event receiver on port " + port, e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/events";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Status answered from now on (non-2xx/3xx deliveries are not recorded: the sender must retry them). */
    public void answer(int status) {
        this.status.set(status);
    }

    /** Holds each POST this long before answering. */
    public void delay(Duration d) {
        delayMillis.set(d.toMillis());
    }

    public int posts() {
        return posts.get();
    }

    public List<Delivery> deliveries() {
        synchronized (deliveries) {
            return List.copyOf(deliveries);
        }
    }

    /** Every event received so far, in arrival order. */
    public List<JsonNode> events() {
        List<JsonNode> out = new ArrayList<>();
        for (Delivery d : deliveries()) {
            d.envelope().path("events").forEach(out::add);
        }
        return out;
    }

    /** Waits until {@code count} events match, and returns them. */
    public List<JsonNode> await(Predicate<JsonNode> match, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<JsonNode> got = events().stream().filter(match).toList();
            if (got.size() >= count) {
                return got;
            }
            if (System.nanoTime() > deadline) {
                return fail("expected " + count + " matching events within " + timeout + ", got " + got.size()
                        + "; all events: " + events());
            }
            synchronized (deliveries) {
                try {
                    deliveries.wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return fail("interrupted");
                }
            }
        }
    }

    /** The one event with this action on this target, waiting for it. */
    public JsonNode awaitOne(String action, String repository, Predicate<JsonNode> target, Duration timeout) {
        return await(e -> e.path("action").asText().equals(action)
                && e.path("target").path("repository").asText().equals(repository) && target.test(e.path("target")),
                1, timeout).get(0);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
