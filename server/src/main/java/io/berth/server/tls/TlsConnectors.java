package io.berth.server.tls;

import io.berth.server.config.ConfigException;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.WindowRateControl;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS connector: the PEM certificate and key in an in-memory key store, client CAs in a trust
 * store (and client certificates required, as distribution's RequireAndVerifyClientCert), the
 * protocol floor and cipher suites, and ALPN offering h2 then http/1.1.
 */
public final class TlsConnectors {
    private static final Logger LOG = LoggerFactory.getLogger(TlsConnectors.class);
    private static final char[] NO_PASSWORD = new char[0];

    private TlsConnectors() {
    }

    public static ServerConnector create(Server server, HttpConfiguration http, TlsSettings tls) {
        HttpConfiguration https = new HttpConfiguration(http);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false); // Go serves any Host; the client checks the certificate
        secure.setSniRequired(false);
        https.addCustomizer(secure);
        HttpConnectionFactory h1 = new HttpConnectionFactory(https);
        h1.setInputBufferSize(128 * 1024); // as on the plain connector: large layer uploads
        List<ConnectionFactory> factories = new ArrayList<>();
        SslContextFactory.Server ssl = sslContextFactory(tls);
        if (tls.http2()) {
            HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(https);
            // 1 MiB per stream (Go's default) and room for parallel layer uploads on the connection
            h2.setInitialSessionRecvWindow(16 << 20);
            h2.setInitialStreamRecvWindow(1 << 20);
            // A request answered before its body is read (a 401 mid-push) has its stream reset while
            // up to a stream window of DATA frames is still in flight. Jetty counts each as an invalid
            // frame and, past 128 a second, sends GOAWAY, failing every other upload on the
            // connection; allow several such resets a second, still bounded.
            h2.setRateControlFactory(new WindowRateControl.Factory(1024));
            // ALPN ids are "h2" and "http/1.1" (RFC 7301); Jetty's own name for HTTP/1 is "HTTP/1.1", which no client
            // offers, so a client that offered only http/1.1 was refused at the handshake
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
            alpn.setDefaultProtocol("http/1.1");
            factories.add(new SslConnectionFactory(ssl, alpn.getProtocol()));
            factories.add(alpn);
            factories.add(h2);
        } else {
            factories.add(new SslConnectionFactory(ssl, h1.getProtocol()));
        }
        factories.add(h1);
        return new ServerConnector(server, factories.toArray(ConnectionFactory[]::new));
    }

    static SslContextFactory.Server sslContextFactory(TlsSettings tls) {
        SslContextFactory.Server f = new SslContextFactory.Server();
        f.setKeyStore(keyStore(tls));
        f.setKeyStorePassword("");
        f.setKeyManagerPassword("");
        if (!tls.clientCas().isEmpty()) {
            f.setTrustStore(trustStore(tls.clientCas()));
            f.setNeedClientAuth(true);
        }
        List<String> protocols = TlsSettings.protocolsFrom(tls.minimumTls());
        if (protocols.contains("TLSv1") || protocols.contains("TLSv1.1")) {
            LOG.warn("http.tls.minimumtls {}: TLS 1.0 and 1.1 are disabled in this Java runtime "
                    + "(jdk.tls.disabledAlgorithms) and stay off unless its java.security allows them", tls.minimumTls());
            f.setExcludeProtocols("SSL", "SSLv2", "SSLv2Hello", "SSLv3");
        }
        f.setIncludeProtocols(protocols.toArray(String[]::new));
        String[] supported = supportedCipherSuites();
        List<String> suites = CipherSuites.resolve(tls.cipherSuites(), supported);
        f.setExcludeCipherSuites(); // the configured list is the policy, as in distribution
        f.setIncludeCipherSuites(suites.toArray(String[]::new));
        f.setUseCipherSuitesOrder(true);
        LOG.info("TLS: minimum {}, cipher suites {}", tls.minimumTls(), suites);
        return f;
    }

    private static String[] supportedCipherSuites() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, null, null);
            SSLParameters p = ctx.getSupportedSSLParameters();
            return p.getCipherSuites();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this Java runtime", e);
        }
    }

    private static KeyStore keyStore(TlsSettings tls) {
        List<X509Certificate> chain;
        PrivateKey key;
        try {
            chain = PemFiles.certificates(Path.of(tls.certificate()));
        } catch (IOException e) {
            throw new ConfigException("http.tls.certificate: " + e.getMessage());
        }
        if (chain.isEmpty()) {
            throw new ConfigException("http.tls.certificate: no PEM certificate in " + tls.certificate());
        }
        try {
            key = PemFiles.privateKey(Path.of(tls.key()));
        } catch (IOException e) {
            throw new ConfigException("http.tls.key: " + e.getMessage());
        }
        if (!matches(chain.get(0), key)) {
            throw new ConfigException("http.tls.key: private key does not match public key of " + tls.certificate());
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("berth", key, NO_PASSWORD, chain.toArray(X509Certificate[]::new));
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigException("http.tls: cannot use certificate and key: " + e.getMessage());
        }
    }

    private static KeyStore trustStore(List<String> files) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int n = 0;
            for (String file : files) {
                List<X509Certificate> certs = PemFiles.certificates(Path.of(file));
                if (certs.isEmpty()) {
                    throw new ConfigException("http.tls.clientcas: could not add CA to pool: no certificate in " + file);
                }
                for (X509Certificate c : certs) {
                    ks.setCertificateEntry("ca" + n++, c);
                }
            }
            return ks;
        } catch (IOException e) {
            throw new ConfigException("http.tls.clientcas: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new ConfigException("http.tls.clientcas: " + e.getMessage());
        }
    }

    /** Whether the key signs what the certificate's public key verifies, as Go's X509KeyPair checks. */
    private static boolean matches(X509Certificate cert, PrivateKey key) {
        try {
            String alg = switch (key.getAlgorithm()) {
                case "RSA" -> "SHA256withRSA";
                case "EC" -> "SHA256withECDSA";
                case "EdDSA", "Ed25519" -> "Ed25519";
                default -> null;
            };
            if (alg == null) {
                return true; // let the handshake tell
            }
            byte[] data = "berth key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(data);
            byte[] sig = s.sign();
            s.initVerify(cert.getPublicKey());
            s.update(data);
            return s.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
