package io.berth.server.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.registry.Registry;
import io.berth.server.config.ConfigException;
import io.berth.server.http.ApiPolicy;
import io.berth.server.http.RegistryServer;
import io.berth.server.it.TestImages;
import io.berth.storage.filesystem.FilesystemDriver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code http.tls} on the in-process server with a CA and certificates made by openssl: HTTP/2
 * negotiated by ALPN (HTTP/1.1 still served), https Location URLs, mutual TLS refusing clients
 * without a certificate from the configured CAs, the TLS version floor and the cipher suite list
 * enforced, and configuration mistakes named at start-up.
 */
class TlsServerTest {
    @TempDir
    static Path pki;
    static TestPki.Pair ca;
    static TestPki.Pair server;
    static TestPki.Pair clientCa;
    static TestPki.Pair client;
    static TestPki.Pair strangerClient;

    @TempDir
    Path tmp;
    RegistryServer srv;

    @BeforeAll
    static void certificates() {
        ca = TestPki.ca(pki, "ca");
        server = TestPki.server(pki.resolve("server"), ca, TestPki.KeyType.EC_SEC1);
        clientCa = TestPki.ca(pki, "client-ca");
        client = TestPki.client(pki, "client", clientCa);
        strangerClient = TestPki.client(pki, "stranger", TestPki.ca(pki, "stranger-ca"));
    }

    static TlsSettings settings(TestPki.Pair cert, List<String> clientCas, String min, List<String> suites, boolean h2) {
        return new TlsSettings(cert.cert().toString(), cert.key().toString(), clientCas, min, suites, h2);
    }

    RegistryServer start(TlsSettings tls) throws Exception {
        srv = new RegistryServer(new Registry(new FilesystemDriver(tmp.resolve("store"))), ApiPolicy.defaults(),
                "127.0.0.1", 0, null, tls);
        srv.start();
        return srv;
    }

    @AfterEach
    void stop() throws Exception {
        if (srv != null) {
            srv.close();
        }
    }

    static HttpClient client(SSLContext ctx, HttpClient.Version version, SSLParameters params) {
        HttpClient.Builder b = HttpClient.newBuilder().version(version).sslContext(ctx)
                .connectTimeout(Duration.ofSeconds(10));
        if (params != null) {
            b.sslParameters(params);
        }
        return b.build();
    }

    HttpResponse<byte[]> get(HttpClient c, String path) throws IOException, InterruptedException {
        return c.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + srv.port() + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void http2IsNegotiatedAndHttp11StillServed() throws Exception {
        start(settings(server, List.of(), "tls1.2", List.of(), true));
        HttpClient h2 = client(TestPki.sslContext(ca, null, "TLS"), HttpClient.Version.HTTP_2, null);
        HttpResponse<byte[]> r = get(h2, "/v2/");
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, r.version());

        // a blob up and down over HTTP/2, with https:// Location URLs
        byte[] blob = TestImages.randomBytes(3 << 20, 7);
        String digest = TestImages.sha256(blob);
        HttpResponse<byte[]> start = h2.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + srv.port()
                + "/v2/team/app/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(202, start.statusCode());
        String location = start.headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith("https://127.0.0.1:" + srv.port() + "/v2/team/app/blobs/uploads/"), location);
        HttpResponse<byte[]> put = h2.send(HttpRequest.newBuilder(URI.create(location + "?digest=" + digest))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).header("Content-Type", "application/octet-stream")
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(201, put.statusCode(), new String(put.body()));
        HttpResponse<byte[]> back = get(h2, "/v2/team/app/blobs/" + digest);
        assertEquals(HttpClient.Version.HTTP_2, back.version());
        assertEquals(digest, TestImages.sha256(back.body()));

        HttpResponse<byte[]> h1 = get(client(TestPki.sslContext(ca, null, "TLS"), HttpClient.Version.HTTP_1_1, null), "/v2/");
        assertEquals(200, h1.statusCode());
        assertEquals(HttpClient.Version.HTTP_1_1, h1.version());

        // what curl --http1.1, Python's urllib3 and most non-Go clients do: offer http/1.1 alone in ALPN
        SSLContext ctx = TestPki.sslContext(ca, null, "TLS");
        for (String[] offer : new String[][] {{"http/1.1"}, {"h2", "http/1.1"}}) {
            try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) ctx.getSocketFactory()
                    .createSocket("127.0.0.1", srv.port())) {
                SSLParameters p = socket.getSSLParameters();
                p.setApplicationProtocols(offer);
                socket.setSSLParameters(p);
                socket.startHandshake();
                assertEquals(offer[0], socket.getApplicationProtocol(), "negotiated from " + List.of(offer));
                if (offer.length == 1) {
                    socket.getOutputStream().write("GET /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    String answer = new String(socket.getInputStream().readAllBytes(),
                            java.nio.charset.StandardCharsets.US_ASCII);
                    assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
                }
            }
        }

        // a client that does not trust the CA gets no answer
        HttpClient untrusting = client(TestPki.sslContext(clientCa, null, "TLS"), HttpClient.Version.HTTP_2, null);
        assertThrows(IOException.class, () -> get(untrusting, "/v2/"));
    }

    /**
     * A 401 to a large upload over HTTP/2 resets that stream only: curl, like Go's client, stops
     * sending and goes on using the connection (the JDK client is no judge here: it stalls once the
     * server stops reading a body larger than the stream window).
     */
    @Test
    void refusedUploadsOverHttp2LeaveTheConnectionUsable() throws Exception {
        srv = new RegistryServer(new Registry(new FilesystemDriver(tmp.resolve("store"))), ApiPolicy.defaults(),
                "127.0.0.1", 0, new io.berth.server.auth.SillyAccessController("https://auth.test/token", "svc"),
                settings(server, List.of(), "tls1.2", List.of(), true));
        srv.start();
        Path big = Files.write(tmp.resolve("big.bin"), TestImages.randomBytes(32 << 20, 9));
        String url = "https://127.0.0.1:" + srv.port() + "/v2/team/app/blobs/uploads/";
        List<String> cmd = new java.util.ArrayList<>(List.of("curl", "--max-time", "60"));
        for (int i = 0; i < 3; i++) {
            cmd.addAll(List.of("--http2", "--cacert", ca.cert().toString(), "-s", "-o", "/dev/null", "-w",
                    "%{http_version} %{http_code} %{num_connects}\\n", "--data-binary", "@" + big, url, "--next"));
        }
        cmd.addAll(List.of("--http2", "--cacert", ca.cert().toString(), "-s", "-o", "/dev/null", "-w",
                "%{http_version} %{http_code} %{num_connects}\\n", "-H", "Authorization: Bearer x", "-X", "POST", url));
        io.berth.server.it.Processes.Result r = io.berth.server.it.Processes.runChecked(cmd, null, Duration.ofMinutes(2));
        assertEquals("2 401 1\n2 401 0\n2 401 0\n2 202 0\n", r.stdout(), r.describe());
    }

    @Test
    void http2CanBeDisabled() throws Exception {
        start(settings(server, List.of(), "tls1.2", List.of(), false));
        HttpResponse<byte[]> r = get(client(TestPki.sslContext(ca, null, "TLS"), HttpClient.Version.HTTP_2, null), "/v2/");
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_1_1, r.version());
    }

    @Test
    void mutualTlsRequiresACertificateFromTheClientCas() throws Exception {
        start(settings(server, List.of(clientCa.cert().toString()), "tls1.2", List.of(), true));
        HttpClient anonymous = client(TestPki.sslContext(ca, null, "TLS"), HttpClient.Version.HTTP_2, null);
        assertThrows(IOException.class, () -> get(anonymous, "/v2/"));
        HttpClient stranger = client(TestPki.sslContext(ca, strangerClient, "TLS"), HttpClient.Version.HTTP_2, null);
        assertThrows(IOException.class, () -> get(stranger, "/v2/"));
        HttpClient known = client(TestPki.sslContext(ca, client, "TLS"), HttpClient.Version.HTTP_2, null);
        HttpResponse<byte[]> r = get(known, "/v2/");
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
    }

    @Test
    void minimumTls13RefusesATls12OnlyClient() throws Exception {
        start(settings(server, List.of(), "tls1.3", List.of(), true));
        SSLParameters tls12 = new SSLParameters();
        tls12.setProtocols(new String[] {"TLSv1.2"});
        HttpClient old = client(TestPki.sslContext(ca, null, "TLSv1.2"), HttpClient.Version.HTTP_2, tls12);
        assertThrows(IOException.class, () -> get(old, "/v2/"));
        SSLParameters tls13 = new SSLParameters();
        tls13.setProtocols(new String[] {"TLSv1.3"});
        assertEquals(200, get(client(TestPki.sslContext(ca, null, "TLS"), HttpClient.Version.HTTP_2, tls13), "/v2/")
                .statusCode());
    }

    @Test
    void defaultMinimumTls12AcceptsATls12Client() throws Exception {
        start(settings(server, List.of(), "tls1.2", List.of(), true));
        SSLParameters tls12 = new SSLParameters();
        tls12.setProtocols(new String[] {"TLSv1.2"});
        HttpResponse<byte[]> r = get(client(TestPki.sslContext(ca, null, "TLSv1.2"), HttpClient.Version.HTTP_2, tls12), "/v2/");
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
    }

    @Test
    void cipherSuitesRestrictTls12() throws Exception {
        start(settings(server, List.of(), "tls1.2", List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), true));
        SSLParameters other = new SSLParameters();
        other.setProtocols(new String[] {"TLSv1.2"});
        other.setCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"});
        HttpClient refused = client(TestPki.sslContext(ca, null, "TLSv1.2"), HttpClient.Version.HTTP_2, other);
        assertThrows(IOException.class, () -> get(refused, "/v2/"));
        SSLParameters listed = new SSLParameters();
        listed.setProtocols(new String[] {"TLSv1.2"});
        listed.setCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"});
        assertEquals(200, get(client(TestPki.sslContext(ca, null, "TLSv1.2"), HttpClient.Version.HTTP_2, listed), "/v2/")
                .statusCode());
    }

    @ParameterizedTest
    @EnumSource(TestPki.KeyType.class)
    void everyKeyFormatServes(TestPki.KeyType type) throws Exception {
        TestPki.Pair cert = TestPki.server(tmp.resolve("cert"), ca, type);
        start(settings(cert, List.of(), "tls1.2", List.of(), true));
        HttpResponse<byte[]> r = get(client(TestPki.sslContext(ca, null, "TLS"), HttpClient.Version.HTTP_2, null), "/v2/");
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
    }

    @Test
    void configurationMistakesAreNamed() throws Exception {
        assertMessage("http.tls.ciphersuites: unknown TLS cipher suite 'TLS_FANCY'",
                () -> start(settings(server, List.of(), "tls1.2", List.of("TLS_FANCY"), true)));
        assertMessage("http.tls.ciphersuites: cipher suite 'TLS_RSA_WITH_RC4_128_SHA' is not available",
                () -> start(settings(server, List.of(), "tls1.2", List.of("TLS_RSA_WITH_RC4_128_SHA"), true)));
        TestPki.Pair other = TestPki.server(tmp.resolve("other"), ca, TestPki.KeyType.EC_PKCS8);
        assertMessage("http.tls.key: private key does not match",
                () -> start(new TlsSettings(server.cert().toString(), other.key().toString(), List.of(), "tls1.2",
                        List.of(), true)));
        assertMessage("http.tls.key:", () -> start(new TlsSettings(server.cert().toString(),
                tmp.resolve("missing.key").toString(), List.of(), "tls1.2", List.of(), true)));
        Path empty = Files.writeString(tmp.resolve("empty.pem"), "");
        assertMessage("http.tls.clientcas: could not add CA", () -> start(settings(server, List.of(empty.toString()),
                "tls1.2", List.of(), true)));
        assertMessage("http.tls.letsencrypt: Let's Encrypt is not supported",
                () -> TlsSettings.fromConfig(Map.of("letsencrypt", Map.of("cachefile", "/x", "email", "a@b.c")), null));
        assertMessage("http.tls.minimumtls: unknown minimum TLS level 'tls1.4'",
                () -> TlsSettings.fromConfig(Map.of("certificate", "/c", "key", "/k", "minimumtls", "tls1.4"), null));
        assertMessage("http.tls.key: must be set", () -> TlsSettings.fromConfig(Map.of("certificate", "/c"), null));
        TlsSettings s = TlsSettings.fromConfig(Map.of("certificate", "/c", "key", "/k", "ciphersuites",
                List.of("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305")), Map.of("disabled", "true"));
        assertEquals(new TlsSettings("/c", "/k", List.of(), "tls1.2", List.of("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305"),
                false), s);
    }

    interface Action {
        void run() throws Exception;
    }

    private void assertMessage(String start, Action a) {
        ConfigException e = assertThrows(ConfigException.class, a::run);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }
}
