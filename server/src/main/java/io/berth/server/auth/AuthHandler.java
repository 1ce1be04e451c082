package io.berth.server.auth;

import io.berth.server.http.ApiErrors;
import io.berth.server.http.ApiPolicy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits in front of the API: works out what the request needs ({@link RequiredAccess}), asks the
 * access controller, and either passes the request on (with the user in the
 * {@value #USER_ATTRIBUTE} request attribute) or answers 401 UNAUTHORIZED with the controller's
 * {@code WWW-Authenticate} challenge and, as distribution, the required accesses as the detail.
 */
public final class AuthHandler extends Handler.Wrapper {
    /** Request attribute holding the authenticated user's name, for access logs. */
    /** The same attribute the access log and notifications read the user from. */
    public static final String USER_ATTRIBUTE = io.berth.server.http.RequestInfo.USER_ATTRIBUTE;
    private static final Logger LOG = LoggerFactory.getLogger(AuthHandler.class);

    private final AccessController access;
    private final String prefix;
    private final Map<String, List<String>> headers;

    public AuthHandler(AccessController access, ApiPolicy policy, Handler next) {
        super(next);
        this.access = access;
        this.prefix = policy.prefix();
        this.headers = policy.headers();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String from = Request.extractQueryParameters(request, StandardCharsets.UTF_8).getValue("from");
        Optional<List<Access>> required = RequiredAccess.of(request.getMethod(), Request.getPathInContext(request),
                prefix, from);
        if (required.isEmpty()) {
            return super.handle(request, response, callback);
        }
        Decision d;
        try {
            d = access.authorize(new AuthRequest(request.getHeaders().get(HttpHeader.AUTHORIZATION), host(request)),
                    required.get());
        } catch (Exception e) {
            LOG.error("{} {}: {} access check failed: {}", request.getMethod(), request.getHttpURI().getPath(),
                    access.kind(), e.toString());
            commonHeaders(response);
            ApiErrors.send(request, response, callback, 500, "UNKNOWN", "authorization check failed", null);
            return true;
        }
        if (d instanceof Decision.Granted g) {
            request.setAttribute(USER_ATTRIBUTE, g.user());
            return super.handle(request, response, callback);
        }
        Decision.Challenged c = (Decision.Challenged) d;
        LOG.debug("{} {}: 401: {}", request.getMethod(), request.getHttpURI().getPath(), c.reason());
        commonHeaders(response);
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, c.challenge());
        List<Map<String, String>> detail = required.get().stream().map(Access::detail).toList();
        ApiErrors.send(request, response, callback, 401, "UNAUTHORIZED", "authentication required",
                detail.isEmpty() ? null : detail);
        return true;
    }

    private void commonHeaders(Response response) {
        response.getHeaders().put("Docker-Distribution-API-Version", "registry/2.0");
        headers.forEach((name, values) -> values.forEach(v -> response.getHeaders().add(name, v)));
    }

    /** The host:port the client addressed (Host header, or :authority over HTTP/2). */
    private static String host(Request request) {
        String authority = request.getHttpURI().getAuthority();
        if (authority != null && !authority.isEmpty()) {
            return authority;
        }
        String host = request.getHeaders().get(HttpHeader.HOST);
        return host == null ? Request.getServerName(request) + ":" + Request.getServerPort(request) : host;
    }
}
