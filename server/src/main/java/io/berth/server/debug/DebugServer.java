package io.berth.server.debug;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.server.health.HealthChecks;
import io.berth.server.metrics.Metrics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener on {@code http.debug.addr}, a Jetty server of its own so it keeps answering while
 * the API drains: {@code GET /debug/health} (200 {@code {}} or 503 with the failing checks by name,
 * as distribution's StatusHandler) and, when enabled, the Prometheus metrics.
 */
public final class DebugServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DebugServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Server server;
    private final ServerConnector connector;

    /** {@code metricsPath} null when Prometheus is off. */
    public DebugServer(String host, int port, HealthChecks health, Metrics metrics, String metricsPath) {
        QueuedThreadPool pool = new QueuedThreadPool(8, 2);
        pool.setName("berth-debug");
        server = new Server(pool);
        connector = new ServerConnector(server, 1, 1);
        connector.setHost(host == null || host.isEmpty() ? null : host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String path = Request.getPathInContext(request);
                boolean get = request.getMethod().equals("GET") || request.getMethod().equals("HEAD");
                if (path.equals("/debug/health") && get) {
                    Map<String, String> failing = health.failing();
                    send(request, response, callback, failing.isEmpty() ? 200 : 503, "application/json; charset=utf-8",
                            JSON.writeValueAsBytes(failing));
                    return true;
                }
                if (metricsPath != null && path.equals(metricsPath) && get) {
                    send(request, response, callback, 200, Metrics.CONTENT_TYPE,
                            metrics.scrape().getBytes(StandardCharsets.UTF_8));
                    return true;
                }
                send(request, response, callback, 404, "text/plain; charset=utf-8",
                        "404 page not found\n".getBytes(StandardCharsets.UTF_8));
                return true;
            }
        });
        server.setStopTimeout(0);
    }

    private static void send(Request request, Response response, Callback callback, int status, String type,
                             byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, request.getMethod().equals("HEAD") ? null : ByteBuffer.wrap(body), callback);
    }

    public void start() throws Exception {
        server.start();
        LOG.info("debug server listening on {}:{}", connector.getHost() == null ? "0.0.0.0" : connector.getHost(),
                connector.getLocalPort());
    }

    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
