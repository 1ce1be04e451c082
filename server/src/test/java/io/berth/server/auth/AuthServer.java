package io.berth.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.core.registry.Registry;
import io.berth.server.http.ApiPolicy;
import io.berth.server.http.RegistryServer;
import io.berth.server.it.TestImages;
import io.berth.storage.filesystem.FilesystemDriver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/** Berth in this JVM on a filesystem store with an access controller, and an HTTP/1.1 client for it. */
final class AuthServer implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();

    final RegistryServer server;
    final String base;

    AuthServer(Path root, AccessController access) throws Exception {
        server = new RegistryServer(new Registry(new FilesystemDriver(root)), ApiPolicy.defaults(), "127.0.0.1", 0,
                access, null);
        server.start();
        base = "http://127.0.0.1:" + server.port();
    }

    /** {@code authorization} null sends none. */
    HttpResponse<byte[]> send(String method, String path, byte[] body, String authorization, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(1))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String bearer(String token) {
        return "Bearer " + token;
    }

    static String basic(String user, String password) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    static String body(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /** A blob pushed in one POST ?digest=, as {@code authorization}. */
    String pushBlob(String repo, byte[] content, String authorization) {
        String d = TestImages.sha256(content);
        HttpResponse<byte[]> r = send("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + d, content, authorization,
                "Content-Type", "application/octet-stream");
        assertEquals(201, r.statusCode(), body(r));
        return d;
    }

    /** Starts an upload and returns its path (/v2/.../blobs/uploads/<uuid>). */
    String startUpload(String repo, String authorization) {
        HttpResponse<byte[]> r = send("POST", "/v2/" + repo + "/blobs/uploads/", null, authorization);
        assertEquals(202, r.statusCode(), body(r));
        String loc = r.headers().firstValue("Location").orElseThrow();
        return URI.create(loc).getPath();
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
