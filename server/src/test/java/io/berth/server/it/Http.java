package io.berth.server.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tiny HTTP helper for poking registries directly. Headers are passed as name/value pairs:
 * {@code Http.put(url, bytes, "Content-Type", "application/octet-stream")}.
 */
public final class Http {
    private Http() {}

    /*
     * HTTP/1.1 only: the JDK client would otherwise try an h2c upgrade on http:// URLs, which is not
     * what registry clients do. Redirects are not followed so tests can assert on Location headers.
     */
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);

    public record Response(int status, HttpHeaders headers, byte[] body) {
        /** First value of a header (case-insensitive), or null. */
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public Optional<String> firstHeader(String name) {
            return headers.firstValue(name);
        }

        public Map<String, List<String>> headerMap() {
            return headers.map();
        }

        public String bodyString() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "HTTP " + status + " " + headers.map() + "\n" + bodyString();
        }
    }

    public static Response get(String url, String... headers) {
        return send("GET", url, null, headers);
    }

    public static Response head(String url, String... headers) {
        return send("HEAD", url, null, headers);
    }

    public static Response delete(String url, String... headers) {
        return send("DELETE", url, null, headers);
    }

    public static Response put(String url, byte[] body, String... headers) {
        return send("PUT", url, body, headers);
    }

    public static Response post(String url, byte[] body, String... headers) {
        return send("POST", url, body, headers);
    }

    public static Response patch(String url, byte[] body, String... headers) {
        return send("PATCH", url, body, headers);
    }

    /**
     * Sends any method. A null body sends no body (and no Content-Length); use {@code new byte[0]}
     * for an explicit empty body. Note the JDK refuses to set restricted headers such as
     * Content-Length, Host, Connection and Expect.
     */
    public static Response send(String method, String url, byte[] body, String... headers) {
        if (headers.length % 2 != 0) {
            throw new IllegalArgumentException("headers must be name/value pairs");
        }
        HttpRequest.BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(REQUEST_TIMEOUT)
                .method(method, publisher);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<byte[]> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + method + " " + url, e);
        }
    }

    // ---- upload URLs ----

    /** A Location header (absolute or relative) resolved against a registry's base URL. */
    public static String resolve(String baseUrl, String location) {
        if (location == null) {
            throw new AssertionError("no Location header");
        }
        return URI.create(baseUrl + "/").resolve(location).toString();
    }

    /** The path and query of a Location, to replay it against another server. */
    public static String pathAndQuery(String location) {
        if (location == null) {
            throw new AssertionError("no Location header");
        }
        URI u = URI.create(location);
        return u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    }

    /** Adds {@code digest=<digest>} to an upload URL that may already have a query. */
    public static String withDigest(String url, String digest) {
        return url + (url.contains("?") ? "&" : "?") + "digest="
                + java.net.URLEncoder.encode(digest, StandardCharsets.UTF_8);
    }
}
