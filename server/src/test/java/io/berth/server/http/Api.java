package io.berth.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A tiny client for one in-process registry. Every response it sees is checked for the
 * invariants that hold for all of them: never a 5xx, always
 * {@code Docker-Distribution-API-Version: registry/2.0}, and error bodies that are the spec's
 * {@code {"errors":[{"code":...}]}} without a stack trace.
 */
final class Api {
    static final ObjectMapper JSON = new ObjectMapper();

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1) // no h2c upgrade attempt, as registry clients do
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    final String host;
    final int port;
    final String base;

    Api(String host, int port) {
        this.host = host;
        this.port = port;
        this.base = "http://" + host + ":" + port;
    }

    /** A response; header names are case-insensitive. */
    record Resp(String method, String target, int status, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            List<String> v = headers.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        List<String> headerValues(String name) {
            List<String> v = headers.get(name);
            return v == null ? List.of() : v;
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + this, e);
            }
        }

        /** The first error code of an error body. */
        String errorCode() {
            return json().path("errors").path(0).path("code").asText(null);
        }

        long contentLength() {
            String v = header("Content-Length");
            return v == null ? -1 : Long.parseLong(v.trim());
        }

        @Override
        public String toString() {
            String b = body.length > 2000 ? text().substring(0, 2000) + "..." : text();
            return method + " " + target + " -> " + status + " " + headers + "\n" + b;
        }
    }

    // ------------------------------------------------------------------ java.net.http

    Resp get(String path, String... headers) {
        return send("GET", path, null, headers);
    }

    Resp head(String path, String... headers) {
        return send("HEAD", path, null, headers);
    }

    Resp delete(String path, String... headers) {
        return send("DELETE", path, null, headers);
    }

    Resp post(String path, byte[] body, String... headers) {
        return send("POST", path, body, headers);
    }

    Resp put(String path, byte[] body, String... headers) {
        return send("PUT", path, body, headers);
    }

    Resp patch(String path, byte[] body, String... headers) {
        return send("PATCH", path, body, headers);
    }

    /** A PATCH whose body goes out chunked, without Content-Length (a "streamed" upload). */
    Resp patchStreamed(String path, byte[] body, String... headers) {
        return sendWith("PATCH", path, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)),
                headers);
    }

    /** A PUT whose body goes out chunked, without Content-Length. */
    Resp putStreamed(String path, byte[] body, String... headers) {
        return sendWith("PUT", path, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)),
                headers);
    }

    Resp send(String method, String path, byte[] body, String... headers) {
        HttpRequest.BodyPublisher pub = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body);
        return sendWith(method, path, pub, headers);
    }

    Resp sendWith(String method, String path, HttpRequest.BodyPublisher body, String... headers) {
        String target = absolute(path);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target))
                .timeout(Duration.ofSeconds(60))
                .method(method, body);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<byte[]> r;
        try {
            r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + target, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.putAll(r.headers().map());
        return check(new Resp(method, target, r.statusCode(), h, r.body() == null ? new byte[0] : r.body()));
    }

    /** Location headers are absolute URLs here; a path is resolved against the server. */
    String absolute(String pathOrUrl) {
        return pathOrUrl.startsWith("http://") ? pathOrUrl : base + pathOrUrl;
    }

    // ------------------------------------------------------------------ raw socket

    /**
     * Sends exactly the given request head (plus body) over a socket, for requests
     * java.net.http would normalise or refuse. {@code Connection: close} is added.
     */
    Resp raw(String method, String rawTarget, byte[] body, String... headers) {
        StringBuilder sb = new StringBuilder();
        sb.append(method).append(' ').append(rawTarget).append(" HTTP/1.1\r\n");
        sb.append("Host: ").append(host).append(':').append(port).append("\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            sb.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        if (body != null) {
            sb.append("Content-Length: ").append(body.length).append("\r\n");
        }
        sb.append("Connection: close\r\n\r\n");
        return rawText(method, rawTarget, sb.toString(), body);
    }

    /** Sends a request head exactly as written (it must end with an empty line), then the body. */
    Resp rawText(String method, String rawTarget, String head, byte[] body) {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            byte[] all = s.getInputStream().readAllBytes();
            return check(parseRaw(method, rawTarget, all));
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + rawTarget, e);
        }
    }

    private static Resp parseRaw(String method, String target, byte[] all) {
        int headEnd = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(headEnd > 0, () -> "no HTTP response head in " + new String(all, StandardCharsets.ISO_8859_1));
        String head = new String(all, 0, headEnd, StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        int status = Integer.parseInt(statusLine[1]);
        Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            h.computeIfAbsent(lines[i].substring(0, c).trim(), k -> new ArrayList<>())
                    .add(lines[i].substring(c + 1).trim());
        }
        byte[] rest = java.util.Arrays.copyOfRange(all, headEnd + 4, all.length);
        List<String> te = h.get("Transfer-Encoding");
        if (te != null && te.get(0).toLowerCase(Locale.ROOT).contains("chunked")) {
            rest = dechunk(rest);
        } else if (h.containsKey("Content-Length") && !method.equals("HEAD")) {
            int len = Integer.parseInt(h.get("Content-Length").get(0));
            rest = java.util.Arrays.copyOf(rest, Math.min(len, rest.length));
        }
        return new Resp(method, target, status, h, rest);
    }

    private static byte[] dechunk(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        while (pos < in.length) {
            int eol = indexOf(java.util.Arrays.copyOfRange(in, pos, in.length), "\r\n".getBytes());
            String sizeLine = new String(in, pos, eol, StandardCharsets.ISO_8859_1).split(";")[0].trim();
            int size = Integer.parseInt(sizeLine, 16);
            pos += eol + 2;
            if (size == 0) {
                break;
            }
            out.write(in, pos, size);
            pos += size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    // ------------------------------------------------------------------ invariants

    private static Resp check(Resp r) {
        assertTrue(r.status() < 500, () -> "server error: " + r);
        assertEquals("registry/2.0", r.header("Docker-Distribution-API-Version"),
                () -> "missing API version header: " + r);
        if (r.status() >= 400 && !r.method().equals("HEAD")) {
            String text = r.text();
            assertFalse(text.contains("\tat ") || text.contains("at io.berth") || text.contains("at org.eclipse"),
                    () -> "stack trace in error body: " + r);
            assertTrue(String.valueOf(r.header("Content-Type")).startsWith("application/json"),
                    () -> "error body that is not JSON: " + r);
            JsonNode errors = r.json().get("errors");
            assertNotNull(errors, () -> "error body without errors: " + r);
            assertTrue(errors.isArray() && errors.size() > 0, () -> "empty errors array: " + r);
            for (JsonNode e : errors) {
                assertTrue(e.path("code").isTextual() && !e.path("code").asText().isEmpty(),
                        () -> "error without code: " + r);
            }
        }
        return r;
    }

    // ------------------------------------------------------------------ assertions

    static Resp expect(int status, Resp r) {
        if (r.status() != status) {
            fail("expected " + status + " but got: " + r);
        }
        return r;
    }

    /** Status and, for anything but HEAD, the spec error code of the body. */
    static Resp expectError(int status, String code, Resp r) {
        expect(status, r);
        if (!r.method().equals("HEAD")) {
            assertEquals(code, r.errorCode(), () -> "wrong error code: " + r);
        }
        return r;
    }

}
