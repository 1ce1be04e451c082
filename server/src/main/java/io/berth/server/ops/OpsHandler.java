package io.berth.server.ops;

import io.berth.server.health.HealthChecks;
import io.berth.server.http.RequestInfo;
import io.berth.server.logging.LogSetup;
import io.berth.server.metrics.HttpMetrics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Around the API, once per request: a request id (a well-formed incoming {@code X-Request-Id} from
 * a proxy is kept, else a fresh UUID; either way it is returned in {@code X-Request-Id}), the health
 * gate (503 UNAVAILABLE while a check fails, as distribution's {@code health.Handler}), metrics, and
 * one access log line when the response is complete.
 */
public final class OpsHandler extends Handler.Wrapper {
    private static final Logger ACCESS = LoggerFactory.getLogger(LogSetup.ACCESS_LOGGER);
    private static final Pattern GOOD_ID = Pattern.compile("^[A-Za-z0-9._:-]{1,128}$");
    private static final byte[] UNAVAILABLE = ("{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"service unavailable\","
            + "\"detail\":\"health check failed: please see /debug/health\"}]}").getBytes(StandardCharsets.UTF_8);

    private final HealthChecks health;
    private final HttpMetrics metrics;
    private final boolean accessLog;

    /** {@code health} and {@code metrics} may be null (no checks configured, metrics off). */
    public OpsHandler(Handler api, HealthChecks health, HttpMetrics metrics, boolean accessLog) {
        super(api);
        this.health = health;
        this.metrics = metrics;
        this.accessLog = accessLog;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long start = System.nanoTime();
        String id = request.getHeaders().get("X-Request-Id");
        if (id == null || !GOOD_ID.matcher(id).matches()) {
            id = UUID.randomUUID().toString();
        }
        request.setAttribute(RequestInfo.ID_ATTRIBUTE, id);
        response.getHeaders().put("X-Request-Id", id);
        if (metrics != null) {
            metrics.started();
        }
        Callback done = new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                finish(request, response, start, null);
                super.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                finish(request, response, start, x);
                super.failed(x);
            }
        };
        if (health != null && !health.failing().isEmpty()) {
            response.setStatus(503);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
            response.getHeaders().put("Docker-Distribution-API-Version", "registry/2.0");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, UNAVAILABLE.length);
            if (request.getHeaders().get(HttpHeader.CONTENT_LENGTH) != null
                    || request.getHeaders().get(HttpHeader.TRANSFER_ENCODING) != null) {
                response.getHeaders().put(HttpHeader.CONNECTION, "close"); // the body stays unread
            }
            response.write(true, ByteBuffer.wrap(UNAVAILABLE), done);
            return true;
        }
        try {
            if (super.handle(request, response, done)) {
                return true;
            }
        } catch (Throwable t) {
            finish(request, response, start, t);
            throw t;
        }
        finish(request, response, start, null); // not handled: Jetty answers 404
        return false;
    }

    private void finish(Request request, Response response, long start, Throwable failure) {
        long nanos = System.nanoTime() - start;
        int status = failure != null && !response.isCommitted() ? failureStatus(failure) : response.getStatus();
        Object routeAttr = request.getAttribute(RequestInfo.ROUTE_ATTRIBUTE);
        String route = routeAttr == null ? "unknown" : routeAttr.toString();
        long in = Request.getContentBytesRead(request);
        long out = Response.getContentBytesWritten(response);
        if (metrics != null) {
            metrics.finished(request.getMethod(), route, status, nanos, in, out);
        }
        if (accessLog && ACCESS.isInfoEnabled()) {
            log(request, response, route, status, nanos, in, out, failure);
        }
    }

    /**
     * The status a failed exchange is counted with. A malformed body (Jetty's own HttpException, such
     * as an early EOF in a chunked body) is the client's 4xx, which Jetty answers; a client that went
     * away gets nothing, logged as nginx logs it (499). Only the rest is the registry's 500: 5xx
     * metrics and alerts must not count clients' faults.
     */
    static int failureStatus(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpException h && h.getCode() >= 400) {
                return h.getCode();
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof EofException || t instanceof java.nio.channels.ClosedChannelException) {
                return 499;
            }
        }
        return 500;
    }

    /** Field names as distribution's "response completed" line, plus the route and bytes read. */
    private static void log(Request request, Response response, String route, int status, long nanos, long in,
                            long out, Throwable failure) {
        LoggingEventBuilder b = ACCESS.atInfo()
                .addKeyValue("http.request.id", request.getAttribute(RequestInfo.ID_ATTRIBUTE))
                .addKeyValue("http.request.method", request.getMethod())
                .addKeyValue("http.request.host", request.getHeaders().get(HttpHeader.HOST))
                .addKeyValue("http.request.remoteaddr", RequestInfo.remoteAddr(request))
                .addKeyValue("http.request.uri", request.getHttpURI().getPathQuery())
                .addKeyValue("http.request.useragent", request.getHeaders().get(HttpHeader.USER_AGENT))
                .addKeyValue("http.request.route", route);
        Object repo = request.getAttribute(RequestInfo.REPOSITORY_ATTRIBUTE);
        if (repo != null) {
            b = b.addKeyValue("vars.name", repo);
        }
        Object user = request.getAttribute(RequestInfo.USER_ATTRIBUTE);
        if (user != null) {
            b = b.addKeyValue("auth.user.name", user);
        }
        b = b.addKeyValue("http.request.read", in)
                .addKeyValue("http.response.status", status)
                .addKeyValue("http.response.written", out)
                .addKeyValue("http.response.duration", io.berth.server.config.GoDuration.format(
                        java.time.Duration.ofNanos(nanos)))
                .addKeyValue("http.response.duration_ms", Math.round(nanos / 1e4) / 100.0);
        if (failure != null) {
            b = b.addKeyValue("error", failure.toString());
        }
        b.log(failure == null ? "response completed" : "response failed");
    }
}
