package io.berth.server.http;

import java.util.UUID;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * Who asked what, for events and logs: distribution's RequestRecord (id, addr, host, method,
 * user agent) plus the authenticated user and the base URL event targets point at.
 */
public record RequestInfo(String id, String addr, String host, String method, String userAgent, String user,
                          String baseUrl) {

    /** The request attributes other handlers set: request id (OpsHandler) and user (authentication). */
    public static final String ID_ATTRIBUTE = "berth.request.id";
    public static final String USER_ATTRIBUTE = "berth.user";
    /** Route template ({@code manifest}, {@code blob_upload_chunk}, ...) and repository, set by ApiHandler. */
    public static final String ROUTE_ATTRIBUTE = "berth.route";
    public static final String REPOSITORY_ATTRIBUTE = "berth.repository";

    static RequestInfo of(Request request, String baseUrl) {
        Object id = request.getAttribute(ID_ATTRIBUTE);
        if (id == null) {
            id = UUID.randomUUID().toString();
            request.setAttribute(ID_ATTRIBUTE, id);
        }
        Object user = request.getAttribute(USER_ATTRIBUTE);
        String host = request.getHeaders().get(HttpHeader.HOST);
        return new RequestInfo(id.toString(), remoteAddr(request), host, request.getMethod(),
                request.getHeaders().get(HttpHeader.USER_AGENT), user == null ? null : user.toString(),
                baseUrl == null ? "" : baseUrl);
    }

    /**
     * The client's address as distribution reports it: the first X-Forwarded-For entry, else
     * X-Real-Ip, else the peer's ip:port.
     */
    public static String remoteAddr(Request request) {
        String fwd = request.getHeaders().get("X-Forwarded-For");
        if (fwd != null && !fwd.isBlank()) {
            return fwd.split(",")[0].trim();
        }
        String real = request.getHeaders().get("X-Real-Ip");
        if (real != null && !real.isBlank()) {
            return real.trim();
        }
        return Request.getRemoteAddr(request) + ":" + Request.getRemotePort(request);
    }
}
