package io.berth.server.http;

import static io.berth.server.http.Api.expect;
import static io.berth.server.http.Fixtures.OCI_MANIFEST;
import static io.berth.server.http.Fixtures.bytes;
import static io.berth.server.http.Fixtures.sha256;
import static io.berth.server.http.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Errors answered before the request body is read must not leave keep-alive clients on a
 * connection the server is about to drop: either the connection stays usable, or the response
 * says {@code Connection: close}.
 */
class ConnectionReuseTest extends ApiTestBase {
    static final String REPO = "keep/alive";

    record Head(int status, String headers) {
        boolean closes() {
            return headers.toLowerCase(Locale.ROOT).contains("\r\nconnection: close");
        }
    }

    /** Reads one response (head and Content-Length body) from a persistent connection. */
    static Head readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before a response: " + head);
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                    ? state + 1 : 0;
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(h.split(" ", 3)[1]);
        long len = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                len = Long.parseLong(line.substring(15).trim());
            }
        }
        in.readNBytes((int) len);
        return new Head(status, "\r\n" + h);
    }

    /**
     * Sends the request with its whole body, then, unless the server announced a close, proves
     * the connection still works with a GET /v2/ on it.
     */
    void assertConnectionHonest(String method, String target, byte[] body, int expectedStatus, String... headers)
            throws Exception {
        try (Socket s = new Socket(api.host, api.port)) {
            s.setSoTimeout(10_000);
            StringBuilder sb = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: x\r\n");
            for (int i = 0; i < headers.length; i += 2) {
                sb.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            sb.append("Content-Length: ").append(body.length).append("\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            // the body goes out on its own thread: the server may answer (and close) before taking it all
            Thread writer = new Thread(() -> {
                try {
                    out.write(body);
                    out.flush();
                } catch (IOException e) {
                    // the server stopped reading; its answer says why
                }
            });
            writer.start();
            Head first = readResponse(s.getInputStream());
            writer.join(10_000);
            if (expectedStatus > 0) {
                assertEquals(expectedStatus, first.status(), first::headers);
            } else {
                assertTrue(first.status() >= 400 && first.status() < 500, first::headers);
            }
            if (first.closes()) {
                return;
            }
            Head second;
            try {
                out.write("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                second = readResponse(s.getInputStream());
            } catch (IOException e) {
                throw new AssertionError(method + " " + target + " -> " + first.status()
                        + ": connection dropped without Connection: close" + first.headers(), e);
            }
            assertEquals(200, second.status(), second::headers);
        }
    }

    String upload() {
        return expect(202, api.post("/v2/" + REPO + "/blobs/uploads/", null)).header("Location")
                .replaceFirst("^http://[^/]+", "");
    }

    @Test
    void errorsBeforeTheBodyIsRead() throws Exception {
        byte[] small = bytes(100, 1);
        byte[] large = bytes(1 << 20, 2);
        String u = upload();
        assertConnectionHonest("PATCH", u, small, 400, "Content-Range", "0-49");
        assertConnectionHonest("PATCH", u, large, 400, "Content-Range", "0-49");
        assertConnectionHonest("PATCH", u, small, 416, "Content-Range", "500-599");
        assertConnectionHonest("PATCH", u, large, 416, "Content-Range", "5-" + (5 + large.length - 1));
        String unknown = "/v2/" + REPO + "/blobs/uploads/" + UUID.randomUUID();
        assertConnectionHonest("PATCH", unknown, small, 404);
        assertConnectionHonest("PUT", unknown + "?digest=" + sha256(small), small, 404);
        assertConnectionHonest("PUT", u, small, 400); // no digest
        assertConnectionHonest("PUT", "/v2/Bad/manifests/latest", small, 400, "Content-Type", OCI_MANIFEST);
        assertConnectionHonest("PUT", "/v2/" + REPO + "/manifests/-bad", small, 400, "Content-Type", OCI_MANIFEST);
        assertConnectionHonest("PUT", "/v2/" + REPO + "/blobs/" + sha256(small), small, 405);
        byte[] tooBig = new byte[(4 << 20) + 1];
        assertConnectionHonest("PUT", "/v2/" + REPO + "/manifests/big", tooBig, 413, "Content-Type", OCI_MANIFEST);
        // errors after the whole body was read keep the connection as well
        assertConnectionHonest("PUT", "/v2/" + REPO + "/manifests/v1", utf8("{nope"), 400,
                "Content-Type", OCI_MANIFEST);
        assertConnectionHonest("POST", "/v2/" + REPO + "/blobs/uploads/?digest=" + sha256(large), small, 400);
        // an upload start that ignores a body
        assertConnectionHonest("POST", "/v2/" + REPO + "/blobs/uploads/", small, 202);
    }

    @Test
    void errorsJettyRaisesItselfAreHonestToo() throws Exception {
        for (String target : new String[] {"/v2/../../x/blobs/uploads/", "/v2/a%2Fb/tags/list", "/v2/a%25b/tags/list",
            "/v2/%2e%2e/%2e%2e/x/tags/list", "/v2/a/%2e%2e/%2e%2e/%2e%2e/x/tags/list"}) {
            assertConnectionHonest("GET", target, new byte[0], -1);
            assertConnectionHonest("POST", target, new byte[] {1, 2, 3}, -1);
        }
    }

    /**
     * Requests Jetty rejects itself never reach the access log, so the error handler logs each;
     * a TLS ClientHello on this plain-HTTP port (every skopeo or podman run with tls-verify=false
     * sends one first) only at debug.
     */
    @Test
    void requestsJettyRejectsAreLoggedOnceEach() throws Exception {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger(JsonErrorHandler.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        log.addAppender(lines);
        try {
            assertConnectionHonest("GET", "/v2/a%2Fb/tags/list", new byte[0], 400);
            try (Socket s = new Socket(api.host, api.port)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03});
                s.getOutputStream().flush();
                assertEquals(400, readResponse(s.getInputStream()).status());
            }
        } finally {
            log.detachAppender(lines);
        }
        List<String> info = lines.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(1, info.size(), info::toString);
        assertTrue(info.get(0).startsWith("rejected request from 127.0.0.1 before routing: 400 "), info::toString);
        assertTrue(lines.list.stream().anyMatch(e -> e.getLevel() == Level.DEBUG
                && e.getFormattedMessage().contains("TLS spoken to a plain-HTTP port")) || !log.isDebugEnabled(),
                lines.list::toString);
    }

    @Test
    void smallBodiesOfEarlyErrorsAreDrainedAndTheConnectionKept() throws Exception {
        String u = upload();
        for (String[] h : new String[][] {{"Content-Range", "0-49"}, {"Content-Range", "500-599"}}) {
            try (Socket s = new Socket(api.host, api.port)) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(("PATCH " + u + " HTTP/1.1\r\nHost: x\r\n" + h[0] + ": " + h[1]
                        + "\r\nContent-Length: 100\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                Thread.sleep(100); // the body comes late: the server must wait for it rather than drop the connection
                out.write(new byte[100]);
                out.flush();
                Head first = readResponse(s.getInputStream());
                assertTrue(first.status() == 400 || first.status() == 416, first::headers);
                assertTrue(!first.closes(), first::headers);
                out.write("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                assertEquals(200, readResponse(s.getInputStream()).status());
            }
        }
        assertEquals("0-0", expect(204, api.get(u)).header("Range"));
    }

    @Test
    void expectContinueWithEarlyError() throws Exception {
        String u = upload();
        try (Socket s = new Socket(api.host, api.port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("PATCH " + u + " HTTP/1.1\r\nHost: x\r\nContent-Range: 0-49\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 100000\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Head r = readResponse(s.getInputStream());
            if (r.status() == 100) {
                r = readResponse(s.getInputStream());
            }
            assertEquals(400, r.status(), r::headers);
            assertTrue(r.closes(), r::headers);
        }
        assertEquals("0-0", expect(204, api.get(u)).header("Range"));
    }

    @Test
    void httpClientSurvivesManyEarlyErrors() {
        // the JDK client pools connections and does not retry PATCH/PUT on a dropped one
        String u = upload();
        byte[] chunk = bytes(10_000, 3);
        for (int i = 0; i < 50; i++) {
            Api.Resp r = api.patch(u, chunk, "Content-Range", "0-49");
            assertEquals(400, r.status(), r::toString);
            r = api.patch(u, chunk, "Content-Range", "100-10099");
            assertEquals(416, r.status(), r::toString);
            r = api.put("/v2/" + REPO + "/manifests/-x", chunk, "Content-Type", OCI_MANIFEST);
            assertEquals(400, r.status(), r::toString);
        }
        expect(202, api.patch(u, chunk, "Content-Range", "0-9999"));
        expect(201, api.put(u + "?digest=" + sha256(chunk), null));
        assertTrue(expect(200, api.get("/v2/" + REPO + "/blobs/" + sha256(chunk))).body().length == chunk.length);
    }
}
