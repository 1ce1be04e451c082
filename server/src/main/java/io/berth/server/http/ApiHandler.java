package io.berth.server.http;

import io.berth.core.digest.InvalidDigestException;
import io.berth.core.reference.InvalidNameException;
import io.berth.core.reference.InvalidTagException;
import io.berth.core.reference.RepositoryName;
import io.berth.core.registry.ErrorCode;
import io.berth.core.registry.Registry;
import io.berth.core.registry.RegistryException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes {@code /v2/...} to the endpoints of the OCI Distribution Spec and turns every failure
 * into the spec's JSON error body: a refused request gets its 4xx, an internal fault a 500
 * with a log line, never a stack trace on the wire.
 */
public final class ApiHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    private static final Pattern UPLOAD = Pattern.compile("^(.+)/blobs/uploads/([^/]*)$");
    private static final Pattern TAGS = Pattern.compile("^(.+)/tags/list$");
    private static final Pattern CONTENT = Pattern.compile("^(.+)/(manifests|blobs|referrers)/([^/]+)$");

    private final ApiPolicy policy;
    private final BlobEndpoints blobs;
    private final UploadEndpoints uploads;
    private final ManifestEndpoints manifests;
    private final ListEndpoints lists;

    public ApiHandler(Registry registry, ApiPolicy policy) {
        this(registry, policy, ApiListener.NONE);
    }

    /** With a listener told of every push, pull, mount and delete (notifications, metrics). */
    public ApiHandler(Registry registry, ApiPolicy policy, ApiListener listener) {
        this.policy = policy;
        this.blobs = new BlobEndpoints(registry, policy, listener);
        this.uploads = new UploadEndpoints(registry, listener);
        this.manifests = new ManifestEndpoints(registry, policy, listener);
        this.lists = new ListEndpoints(registry);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        response.getHeaders().put("Docker-Distribution-API-Version", "registry/2.0");
        for (Map.Entry<String, List<String>> h : policy.headers().entrySet()) {
            h.getValue().forEach(v -> response.getHeaders().add(h.getKey(), v));
        }
        Exchange ex = new Exchange(request, response, callback, baseUrl(request));
        try {
            rejectPathParameters(request.getHttpURI());
            route(ex, Request.getPathInContext(request));
        } catch (RegistryException e) {
            answer(ex, e);
        } catch (InvalidNameException e) {
            answer(ex, new RegistryException(e instanceof InvalidTagException ? ErrorCode.TAG_INVALID
                    : ErrorCode.NAME_INVALID, e.getMessage()));
        } catch (InvalidDigestException e) {
            answer(ex, new RegistryException(ErrorCode.DIGEST_INVALID, e.getMessage()));
        } catch (EofException e) {
            LOG.debug("{} {}: client went away: {}", request.getMethod(), request.getHttpURI().getPath(), e.toString());
            if (!ex.completed()) {
                ex.fail(e);
            }
        } catch (IOException e) {
            // storage trouble (an S3 outage, a full disk): one line naming the failed operation;
            // the stack trace, the same for every request of an outage, only at debug level
            LOG.error("{} {} failed: {}", request.getMethod(), request.getHttpURI().getPath(), causes(e));
            LOG.debug("{} {} failed", request.getMethod(), request.getHttpURI().getPath(), e);
            answer(ex, new RegistryException(ErrorCode.UNKNOWN, "storage error: " + e.getClass().getSimpleName()));
        } catch (Throwable t) {
            LOG.error("{} {} failed", request.getMethod(), request.getHttpURI().getPath(), t);
            answer(ex, new RegistryException(ErrorCode.UNKNOWN, "internal error: " + t.getClass().getSimpleName()));
        }
        return true;
    }

    /**
     * Jetty drops {@code ;parameters} from path segments before routing, so {@code /v2/a;x/...} would
     * act on {@code a} while a proxy in front that matches the path as sent (nginx does not strip
     * them) sees another name. No name, tag, digest or upload id contains {@code ;}, so the request
     * names something invalid. Dot segments are resolved as RFC 3986 says (and as proxies do).
     */
    private static void rejectPathParameters(HttpURI uri) {
        String raw = uri.getPath();
        if ((raw != null && raw.indexOf(';') >= 0) || uri.getParam() != null) {
            throw new RegistryException(ErrorCode.NAME_INVALID, "path parameters (;) are not part of any name");
        }
    }

    /** The exception's message and its causes' on one line, without repeats. */
    static String causes(Throwable e) {
        StringBuilder sb = new StringBuilder();
        String last = null;
        for (Throwable c = e; c != null && c != c.getCause(); c = c.getCause()) {
            String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
            if (last == null || !last.contains(m)) {
                sb.append(sb.length() == 0 ? "" : " <- ").append(m);
            }
            last = m;
        }
        return sb.toString();
    }

    private void answer(Exchange ex, RegistryException e) {
        if (ex.completed() || ex.response.isCommitted()) {
            ex.fail(e);
            return;
        }
        try {
            ex.sendError(e);
        } catch (Throwable t) {
            ex.fail(t);
        }
    }

    private String baseUrl(Request request) {
        if (policy.relativeUrls()) {
            return null;
        }
        if (!policy.host().isEmpty()) {
            return policy.host().replaceAll("/+$", "");
        }
        String host = request.getHeaders().get(HttpHeader.HOST);
        if (host == null) {
            host = Request.getServerName(request) + ":" + Request.getServerPort(request);
        }
        return request.getHttpURI().getScheme() + "://" + host;
    }

    private void route(Exchange ex, String path) throws Exception {
        if (!policy.prefix().isEmpty()) {
            if (!path.startsWith(policy.prefix() + "/")) {
                throw notFound(path);
            }
            path = path.substring(policy.prefix().length());
        }
        if (path.equals("/v2") || path.equals("/v2/")) {
            route(ex, "base", null);
            methods(ex, "GET", "HEAD");
            ex.sendJson(200, Map.of());
            return;
        }
        if (!path.startsWith("/v2/")) {
            throw notFound(path);
        }
        String rest = path.substring(4);
        if (rest.equals("_catalog")) {
            route(ex, "catalog", null);
            methods(ex, "GET");
            lists.catalog(ex);
            return;
        }
        Matcher m = UPLOAD.matcher(rest);
        if (m.matches()) {
            RepositoryName name = new RepositoryName(m.group(1));
            String id = m.group(2);
            route(ex, id.isEmpty() ? "blob_upload" : "blob_upload_chunk", name);
            if (id.isEmpty()) {
                methods(ex, "POST");
                writable(ex, "");
                uploads.start(ex, name);
            } else {
                methods(ex, "GET", "PATCH", "PUT", "DELETE");
                if (!ex.method().equals("GET")) {
                    writable(ex, "GET");
                }
                uploads.handle(ex, name, id);
            }
            return;
        }
        m = TAGS.matcher(rest);
        if (m.matches()) {
            RepositoryName name = new RepositoryName(m.group(1));
            route(ex, "tags", name);
            methods(ex, "GET");
            lists.tags(ex, name);
            return;
        }
        m = CONTENT.matcher(rest);
        if (m.matches()) {
            RepositoryName name = new RepositoryName(m.group(1));
            String ref = m.group(3);
            route(ex, m.group(2).equals("referrers") ? "referrers" : m.group(2).replaceFirst("s$", ""), name);
            switch (m.group(2)) {
                case "blobs" -> {
                    methods(ex, "GET", "HEAD", "DELETE");
                    if (ex.method().equals("DELETE")) {
                        writable(ex, "GET, HEAD");
                    }
                    blobs.handle(ex, name, ref);
                }
                case "manifests" -> {
                    methods(ex, "GET", "HEAD", "PUT", "DELETE");
                    if (ex.method().equals("PUT") || ex.method().equals("DELETE")) {
                        writable(ex, "GET, HEAD");
                    }
                    manifests.handle(ex, name, ref);
                }
                default -> {
                    methods(ex, "GET");
                    manifests.referrers(ex, name, ref);
                }
            }
            return;
        }
        if (rest.contains("/")) {
            // the route's shape is right but the name is not, e.g. an upper-case component
            String maybeName = rest.replaceFirst("/(manifests|blobs|tags|referrers)/.*$", "");
            if (!maybeName.equals(rest) && !RepositoryName.isValid(maybeName)) {
                new RepositoryName(maybeName);
            }
        }
        throw notFound(path);
    }

    /** Names the route template for metrics and the access log (never the raw path: it holds names and digests). */
    private static void route(Exchange ex, String route, RepositoryName name) {
        ex.request.setAttribute(RequestInfo.ROUTE_ATTRIBUTE, route);
        if (name != null) {
            ex.request.setAttribute(RequestInfo.REPOSITORY_ATTRIBUTE, name.value());
        }
    }

    private static RegistryException notFound(String path) {
        return new RegistryException(ErrorCode.NAME_UNKNOWN, 404, "no such endpoint: " + path, null);
    }

    private static void methods(Exchange ex, String... allowed) {
        for (String m : allowed) {
            if (m.equals(ex.method())) {
                return;
            }
        }
        ex.setHeader("Allow", String.join(", ", allowed));
        throw new RegistryException(ErrorCode.UNSUPPORTED, "method " + ex.method() + " is not allowed here");
    }

    /** Refuses a write in read-only mode; {@code reads} are the methods still allowed on the route. */
    private void writable(Exchange ex, String reads) {
        if (policy.readOnly()) {
            ex.setHeader("Allow", reads);
            throw new RegistryException(ErrorCode.UNSUPPORTED, "the registry is in read-only maintenance mode "
                    + "(storage.maintenance.readonly.enabled): " + ex.method() + " is refused, pulls still work");
        }
    }
}
