package io.berth.server.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Errors Jetty raises itself (a malformed URI, headers too large) get the registry's JSON error
 * body instead of an HTML page, and never a stack trace.
 */
final class JsonErrorHandler extends ErrorHandler {
    private static final Logger LOG = LoggerFactory.getLogger(JsonErrorHandler.class);

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus() >= 400 ? response.getStatus() : 500;
        String code = switch (status) {
            case 400 -> "UNSUPPORTED";
            case 401 -> "UNAUTHORIZED";
            case 403 -> "DENIED";
            case 404 -> "NAME_UNKNOWN";
            case 405 -> "UNSUPPORTED";
            case 413, 414, 431 -> "SIZE_INVALID";
            case 429 -> "TOOMANYREQUESTS";
            case 503 -> "UNAVAILABLE"; // refused while a graceful stop drains
            default -> status >= 500 ? "UNKNOWN" : "UNSUPPORTED";
        };
        Object msg = request.getAttribute(ERROR_MESSAGE);
        String message = msg == null ? "request failed" : msg.toString().replace("\"", "'").replace("\\", "/");
        // an encoded separator, an empty or encoded-dot segment: the URI names no valid
        // repository, tag or digest, which the spec's code for a /v2/ path says
        if (status == 400 && message.startsWith("Ambiguous URI")
                && request.getHttpURI().getPath() != null && request.getHttpURI().getPath().startsWith("/v2/")) {
            code = "NAME_INVALID";
        }
        // these never reach the API handler, so the access log does not show them: one line each.
        // A TLS ClientHello on a plain-HTTP port is routine (skopeo and podman with tls-verify=false
        // try https first, then http), so that one only at debug.
        if (message.contains("CNTL=0x16")) {
            LOG.debug("rejected request from {}: TLS spoken to a plain-HTTP port", Request.getRemoteAddr(request));
        } else {
            LOG.info("rejected request from {} before routing: {} {}", Request.getRemoteAddr(request), status, message);
        }
        byte[] body = ("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put("Docker-Distribution-API-Version", "registry/2.0");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        // Jetty may drop the connection after an error of its own (a request it could not parse);
        // say so, or a keep-alive client sends its next request into a closed socket
        if (request.getConnectionMetaData().getHttpVersion().getVersion() < 20) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close"); // HTTP/2 would GOAWAY every stream
        }
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
