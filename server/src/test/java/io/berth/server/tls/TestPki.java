package io.berth.server.tls;

import io.berth.server.it.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Keys and certificates for the tests, made by the real {@code openssl} CLI (the test fails naming
 * it when missing): a CA, server and client certificates it signed, self-signed token signers, in
 * each private key format a config may hold.
 */
public final class TestPki {
    private static final Duration TIMEOUT = Duration.ofMinutes(1);

    /** How a private key file is written. */
    public enum KeyType {
        RSA_PKCS8, RSA_PKCS1, EC_PKCS8, EC_SEC1, ED25519
    }

    /** A key file and the certificate file for it. */
    public record Pair(Path key, Path cert) {
        public PrivateKey privateKey() {
            try {
                return PemFiles.privateKey(key);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public X509Certificate certificate() {
            try {
                return PemFiles.certificates(cert).get(0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private TestPki() {
    }

    public static Path key(Path file, KeyType type) {
        mkdirs(file.getParent());
        switch (type) {
            case RSA_PKCS8 -> openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", file);
            case RSA_PKCS1 -> {
                Path tmp = file.resolveSibling(file.getFileName() + ".p8");
                openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", tmp);
                openssl("rsa", "-in", tmp, "-traditional", "-out", file);
            }
            case EC_PKCS8 -> openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file);
            // "EC PARAMETERS" then "EC PRIVATE KEY", as openssl ecparam -genkey writes them
            case EC_SEC1 -> openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", file);
            case ED25519 -> openssl("genpkey", "-algorithm", "ed25519", "-out", file);
            default -> throw new IllegalArgumentException(type.toString());
        }
        return file;
    }

    /** A self-signed CA certificate (and key) named {@code name} in {@code dir}. */
    public static Pair ca(Path dir, String name) {
        Path key = key(dir.resolve(name + ".key"), KeyType.EC_PKCS8);
        Path cert = dir.resolve(name + ".crt");
        openssl("req", "-x509", "-new", "-key", key, "-subj", "/CN=" + name, "-days", "2", "-out", cert,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return new Pair(key, cert);
    }

    /** A self-signed leaf (a token signer's certificate as token servers ship it). */
    public static Pair selfSigned(Path dir, String name, KeyType type) {
        Path key = key(dir.resolve(name + ".key"), type);
        Path cert = dir.resolve(name + ".crt");
        openssl("req", "-x509", "-new", "-key", key, "-subj", "/CN=" + name, "-days", "2", "-out", cert);
        return new Pair(key, cert);
    }

    /** A server certificate for 127.0.0.1 and localhost signed by {@code ca}. */
    public static Pair server(Path dir, Pair ca, KeyType type) {
        return signed(dir, "server", ca, type, "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                + "extendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n");
    }

    /** A client certificate signed by {@code ca}. */
    public static Pair client(Path dir, String name, Pair ca) {
        return signed(dir, name, ca, KeyType.EC_PKCS8, "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n");
    }

    /** An intermediate CA signed by {@code ca}. */
    public static Pair intermediate(Path dir, String name, Pair ca) {
        return signed(dir, name, ca, KeyType.EC_PKCS8,
                "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n");
    }

    /** A leaf certificate signed by {@code ca} with no particular extended usage (a token signer's). */
    public static Pair leaf(Path dir, String name, Pair ca, KeyType type) {
        return signed(dir, name, ca, type, "basicConstraints=CA:FALSE\n");
    }

    private static Pair signed(Path dir, String name, Pair ca, KeyType type, String extensions) {
        Path key = key(dir.resolve(name + ".key"), type);
        Path csr = dir.resolve(name + ".csr");
        Path ext = dir.resolve(name + ".ext");
        Path cert = dir.resolve(name + ".crt");
        write(ext, extensions);
        openssl("req", "-new", "-key", key, "-subj", "/CN=" + name, "-out", csr);
        openssl("x509", "-req", "-in", csr, "-CA", ca.cert(), "-CAkey", ca.key(), "-CAcreateserial", "-days", "2",
                "-extfile", ext, "-out", cert);
        return new Pair(key, cert);
    }

    /** A client TLS context trusting {@code ca}, presenting {@code clientCert} when not null. */
    public static SSLContext sslContext(Pair ca, Pair clientCert, String protocol) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (clientCert != null) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("client", clientCert.privateKey(), new char[0],
                        new X509Certificate[] {clientCert.certificate()});
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, new char[0]);
            }
            SSLContext ctx = SSLContext.getInstance(protocol);
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs openssl with arguments (paths are turned into strings), failing the test on error. */
    public static void openssl(Object... args) {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        for (Object a : args) {
            cmd.add(a.toString());
        }
        Processes.runChecked(cmd, null, TIMEOUT);
    }

    private static void write(Path p, String s) {
        try {
            Files.writeString(p, s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
