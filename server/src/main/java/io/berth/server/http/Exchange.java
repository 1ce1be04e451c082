package io.berth.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.core.registry.ErrorCode;
import io.berth.core.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/** One request and its response: the helpers every endpoint uses to read input and answer. */
final class Exchange {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final int FILE_BUFFER = 1024 * 1024;
    private static final long DRAIN_LIMIT = 256L << 10;

    final Request request;
    final Response response;
    private final Callback callback;
    private final String baseUrl;
    private Fields query;
    private boolean completed;

    Exchange(Request request, Response response, Callback callback, String baseUrl) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.baseUrl = baseUrl;
    }

    boolean isHead() {
        return HttpMethod.HEAD.is(request.getMethod());
    }

    String method() {
        return request.getMethod();
    }

    String header(String name) {
        return request.getHeaders().get(name);
    }

    List<String> headerValues(String name) {
        return request.getHeaders().getValuesList(name);
    }

    long contentLength() {
        return request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
    }

    String query(String name) {
        return queryFields().getValue(name);
    }

    List<String> queryAll(String name) {
        List<String> v = queryFields().getValues(name);
        return v == null ? List.of() : v;
    }

    private Fields queryFields() {
        if (query == null) {
            try {
                query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                // bad %-encoding: the client's error, answered as Jetty answers a bad URI
                throw new RegistryException(ErrorCode.UNSUPPORTED, 400, "malformed query string: " + e.getMessage(), null);
            }
        }
        return query;
    }

    InputStream body() {
        return Request.asInputStream(request);
    }

    /** An absolute URL for Location headers, as distribution sends them (relative with http.relativeurls). */
    String url(String path) {
        return baseUrl == null ? path : baseUrl + path;
    }

    /** The request's record for events: id, client, user. */
    RequestInfo info() {
        return RequestInfo.of(request, baseUrl);
    }

    void setHeader(String name, String value) {
        response.getHeaders().put(name, value);
    }

    void addHeader(String name, String value) {
        response.getHeaders().add(name, value);
    }

    boolean completed() {
        return completed;
    }

    /** An answer without a body. */
    void send(int status) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
        complete(null);
    }

    void sendJson(int status, Object body) throws IOException {
        sendBytes(status, "application/json", JSON.writeValueAsBytes(body));
    }

    /** A full body; on HEAD only its headers. */
    void sendBytes(int status, String contentType, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, (long) body.length);
        complete(isHead() ? null : ByteBuffer.wrap(body));
    }

    /** Headers already set (length, type); completes without a body, for HEAD. */
    void sendHeadersOnly(int status) {
        response.setStatus(status);
        complete(null);
    }

    private void complete(ByteBuffer body) {
        completed = true;
        closeIfBodyUnread();
        response.write(true, body, callback);
    }

    /**
     * An answer given before the request body was read (an error, mostly) makes Jetty drop the
     * connection after the response, but without saying so: a keep-alive client then sends its
     * next request on a dead socket, or fails writing the rest of its body, instead of reading the
     * answer. Like Go's net/http, read and drop a remaining body of up to 256 KiB so the
     * connection stays usable; beyond that, announce {@code Connection: close}.
     */
    private void closeIfBodyUnread() {
        if (request.getConnectionMetaData().getHttpVersion().getVersion() >= 20) {
            return; // HTTP/2: an unread body ends its own stream; "Connection: close" would GOAWAY every stream
        }
        long len = contentLength();
        if (len == 0 || (len < 0 && header("Transfer-Encoding") == null)) {
            return;
        }
        if (len <= DRAIN_LIMIT && drainBody()) {
            return;
        }
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
    }

    /** True when the body is now read to its end; false if it is longer than the limit or broken. */
    private boolean drainBody() {
        if ("100-continue".equalsIgnoreCase(header("Expect"))) {
            // the client may still be waiting for permission to send; do not invite the body only to drop it
            Content.Chunk chunk = request.read();
            boolean atEnd = chunk != null && chunk.isLast() && !chunk.hasRemaining()
                    && !Content.Chunk.isFailure(chunk);
            if (chunk != null) {
                chunk.release();
            }
            return atEnd;
        }
        try {
            InputStream in = Request.asInputStream(request);
            byte[] buf = new byte[8192];
            long drained = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                drained += n;
                if (drained > DRAIN_LIMIT) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Sends part of a local file through one pooled direct buffer: the bytes go from the page
     * cache to the socket without passing through the Java heap. (Memory-mapping was tried first:
     * as fast, but every mapped page counts in the process's RSS until the GC unmaps the buffer,
     * so a few pulls of large layers looked like hundreds of MiB of memory.) False when the
     * transfer broke off.
     */
    boolean sendFile(Path file, long offset, long length) throws IOException {
        completed = true;
        RetainableByteBuffer pooled = request.getComponents().getByteBufferPool().acquire(FILE_BUFFER, true);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = pooled.getByteBuffer();
            long pos = offset;
            long end = offset + length;
            while (pos < end) {
                BufferUtil.clearToFill(buf);
                buf.limit((int) Math.min(buf.capacity(), end - pos));
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw new IOException(file + " ended " + (end - pos) + " bytes early");
                }
                pos += n;
                buf.flip();
                try (Blocker.Callback b = Blocker.callback()) {
                    response.write(pos >= end, buf, b);
                    b.block();
                }
            }
            if (length == 0) {
                try (Blocker.Callback b = Blocker.callback()) {
                    response.write(true, null, b);
                    b.block();
                }
            }
        } catch (IOException | RuntimeException e) {
            callback.failed(e);
            return false;
        } finally {
            pooled.release();
        }
        callback.succeeded();
        return true;
    }

    /** Streams from a driver's reader (object stores, in-memory); false when the transfer broke off. */
    boolean sendStream(InputStream in, long length) throws IOException {
        completed = true;
        try (in; OutputStream out = Content.Sink.asOutputStream(response)) {
            byte[] buf = new byte[128 * 1024];
            long left = length;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IOException("blob ended " + left + " bytes early");
                }
                out.write(buf, 0, n);
                left -= n;
            }
        } catch (IOException | RuntimeException e) {
            callback.failed(e);
            return false;
        }
        callback.succeeded();
        return true;
    }

    void sendError(RegistryException e) throws IOException {
        sendError(e.status(), e.code().name(), e.getMessage(), e.detail());
    }

    void sendError(ErrorCode code, String message) throws IOException {
        sendError(code.status(), code.name(), message, null);
    }

    void sendError(int status, String code, String message, Object detail) throws IOException {
        Map<String, Object> err = new LinkedHashMap<>();
        err.put("code", code);
        err.put("message", message);
        if (detail != null) {
            err.put("detail", detail);
        }
        sendJson(status, Map.of("errors", List.of(err)));
    }

    void fail(Throwable t) {
        completed = true;
        callback.failed(t);
    }
}
